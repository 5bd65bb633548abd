package dev.perceiver.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.train.TrainerConfig;
import dev.perceiver.train.config.ModelOptions;
import dev.perceiver.train.optim.AdamWConfig;
import dev.perceiver.train.optim.LrScheduleConfig;
import dev.perceiver.train.spec.TrainingSpec;
import java.nio.file.Path;

/**
 * The resolved options of one training run, read once and validated: each section as a typed record.
 *
 * @param model {@code model.*}
 * @param data {@code data.*}, the task's own record
 * @param optimizer {@code optimizer.*}
 * @param lrScheduler {@code lr_scheduler.*}, of the task's schedule kind
 * @param trainer {@code trainer.*} except {@code default_root_dir}
 * @param rootDir {@code trainer.default_root_dir}: the folder new run folders are created in
 * @param seed {@code seed_everything}: seed of weights, dropout, data order and masking
 * @param strategy {@code trainer.strategy}: {@code single} (this process) or {@code spark} (data-parallel workers
 *     on Apache Spark, run by the perceiver-spark module)
 * @param numWorkers {@code trainer.num_workers}: data-parallel workers, >= 1 (1 with strategy single)
 * @param <D> the task's data options
 */
public record RunOptions<D>(
        ModelOptions model,
        D data,
        AdamWConfig optimizer,
        LrScheduleConfig lrScheduler,
        TrainerConfig trainer,
        Path rootDir,
        long seed,
        String strategy,
        int numWorkers) {
    /** Strategies of {@code trainer.strategy}. */
    public static final java.util.List<String> STRATEGIES = java.util.List.of("single", "spark");

    /** Validates the strategy and worker count. */
    public RunOptions {
        if (!STRATEGIES.contains(strategy)) {
            throw new IllegalArgumentException("trainer.strategy (" + strategy + ") must be one of " + STRATEGIES);
        }
        if (numWorkers < 1 || (strategy.equals("single") && numWorkers != 1)) {
            throw new IllegalArgumentException(
                    "trainer.num_workers (" + numWorkers + ") must be >= 1, and 1 with " + "trainer.strategy=single");
        }
    }

    /** Reads the option tree {@code values} (as resolved from the task's defaults) of a run of {@code spec}. */
    public static <D> RunOptions<D> parse(TrainingSpec<D> spec, JsonNode values) {
        long seed = values.path("seed_everything").asLong();
        TrainerConfig trainer = TrainerConfig.fromOptions(values.path("trainer"), seed);
        D data = spec.dataOptions(values.path("data"));
        AdamWConfig optimizer = AdamWConfig.fromOptions(values.path("optimizer"));
        LrScheduleConfig lrScheduler = spec.lrSchedulerDefaults().withOptions(values.path("lr_scheduler"));
        ModelOptions model = ModelOptions.parse(values.path("model"));
        Path rootDir = Path.of(values.path("trainer").path("default_root_dir").asText("runs"));
        JsonNode t = values.path("trainer");
        return new RunOptions<>(
                model,
                data,
                optimizer,
                lrScheduler,
                trainer,
                rootDir,
                seed,
                t.path("strategy").asText("single"),
                t.path("num_workers").asInt(1));
    }
}
