package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.train.run.TrainingRun;
import dev.perceiver.train.spec.TrainingSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag$;

/**
 * A data-parallel training run on Spark: one barrier stage of {@code trainer.num_workers} tasks
 * ({@link TrainingWorker}), gang-scheduled, each a replica training on its shard of every global batch. A failed
 * worker fails the stage; Spark's retry of the barrier stage (clusters: {@code spark.stage.maxConsecutiveAttempts};
 * local mode: {@code local[N,F]}) starts every worker again, and they resume from {@code checkpoints/last}.
 */
public final class SparkTraining {
    /**
     * What the run did.
     *
     * @param summary worker 0's final line (run folder, validation metrics)
     * @param steps optimizer steps taken in total
     * @param trainSeconds worker 0's seconds in training steps (allreduce included)
     * @param allReduceSeconds worker 0's seconds in allreduce
     * @param allReduceCalls worker 0's allreduce calls (one per step, one for the initial weights)
     */
    public record Summary(
            String summary, long steps, double trainSeconds, double allReduceSeconds, long allReduceCalls) {}

    private SparkTraining() {}

    /**
     * Runs training in the run folder made by {@link TrainingRun#prepare}.
     *
     * @param values resolved options; {@code trainer.num_workers} is the number of workers
     */
    public static Summary run(SparkSession spark, TrainingSpec<?> spec, ObjectNode values, Path runDir)
            throws IOException {
        return run(spark, spec, values, runDir, -1, -1);
    }

    /**
     * As {@link #run(SparkSession, TrainingSpec, ObjectNode, Path)}, with worker {@code failRank} failing at its
     * allreduce call {@code failCall} in the stage's first attempt (tests of the retry; -1: none fails).
     */
    static Summary run(
            SparkSession spark, TrainingSpec<?> spec, ObjectNode values, Path runDir, int failRank, long failCall)
            throws IOException {
        int workers = values.path("trainer").path("num_workers").asInt(1);
        if (workers < 1) {
            throw new IllegalArgumentException("trainer.num_workers (" + workers + ") must be >= 1");
        }
        int slots = SparkSessions.slotsPerExecutor(spark);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ranks =
                new ArrayList<>(IntStream.range(0, workers).boxed().toList());
        TrainingWorker worker = new TrainingWorker(
                spec.name(),
                ConfigJson.toString(values),
                runDir.toAbsolutePath().toString(),
                slots);
        if (failRank >= 0) {
            worker = worker.failingOnce(failRank, failCall);
        }
        // the barrier stage ends in a shuffle (repartition), so it is a map stage: Spark retries a failed barrier map
        // stage as a whole (spark.stage.maxConsecutiveAttempts times) but never a failed barrier result stage
        List<String> lines = jsc.parallelize(ranks, workers)
                .rdd()
                .barrier()
                .mapPartitions(worker, false, ClassTag$.MODULE$.apply(String.class))
                .toJavaRDD()
                .repartition(1)
                .collect();
        for (String line : lines) {
            String[] f = line.split(" ", 6);
            if (f[0].equals("0")) {
                return new Summary(
                        f[5],
                        Long.parseLong(f[1]),
                        Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]),
                        Long.parseLong(f[4]));
            }
        }
        throw new IllegalStateException("no result from worker 0 among " + lines);
    }
}
