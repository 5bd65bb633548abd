package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.train.config.CommandOptions;
import dev.perceiver.train.run.TrainingRun;
import dev.perceiver.train.spec.TrainingSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code perceiver train TASK --trainer.strategy=spark --trainer.num_workers=N [--master URL] [options]}: the train
 * command's options ({@code perceiver train --help}), run as data-parallel workers on Spark ({@link SparkTraining}).
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Data-parallel training on Apache Spark: the options of perceiver train with --trainer.strategy=spark and",
            "--trainer.num_workers=N (N gang-scheduled workers, gradients summed by a ring allreduce every step)."
        })
public final class SparkTrainCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "TASK", description = "The task (optional with --resume).")
    String task;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON config; options override it.")
    Path config;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR.")
    Path resume;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master (default: spark-submit's, else local[N,4]: N = trainer.num_workers task "
                    + "threads, a failed worker retried up to 3 times).")
    String master;

    @Unmatched
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        TrainingRun.Start start = TrainingRun.Start.of(task, resume);
        TrainingSpec<?> spec = start.spec();
        ObjectNode values = CommandOptions.resolve(start.tree(), config, options);
        String strategy = values.path("trainer").path("strategy").asText();
        if (!strategy.equals("spark")) {
            throw new IllegalArgumentException("trainer.strategy (" + strategy + ") must be spark here");
        }
        int workers = values.path("trainer").path("num_workers").asInt();
        Path runDir = TrainingRun.prepare(spec, values, resume);
        String url = master != null
                ? master
                : new org.apache.spark.SparkConf().contains("spark.master") ? null : "local[" + workers + ",4]";
        try (SparkSession spark = SparkSessions.open(url, "perceiver train " + spec.name())) {
            SparkTraining.Summary s = SparkTraining.run(spark, spec, values, runDir);
            System.err.printf(
                    Locale.ROOT,
                    "trained %d steps with %d workers, %.1f s in training steps (%.2f steps/s), allreduce %.2f ms per "
                            + "step%n",
                    s.steps(),
                    workers,
                    s.trainSeconds(),
                    s.trainSeconds() > 0 ? s.steps() / s.trainSeconds() : 0,
                    s.allReduceCalls() > 0 ? 1000 * s.allReduceSeconds() / s.allReduceCalls() : 0);
            System.out.println(s.summary());
        }
        return 0;
    }
}
