package dev.perceiver.train.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code lr_scheduler} options of a task: the reference's ConstantWithWarmupLR or CosineWithWarmupLR. A task's
 * default fixes the kind; {@link #withOptions} reads the values of the same kind.
 */
public sealed interface LrScheduleConfig {
    /** Steps of linear warmup from 0. */
    long warmupSteps();

    /** The {@code lr_scheduler} section of these settings. */
    ObjectNode toOptions();

    /** Settings of the same kind read from an {@code lr_scheduler} section (absent fields keep these values). */
    LrScheduleConfig withOptions(JsonNode lrScheduler);

    /**
     * The schedule of a run of {@code totalSteps} optimizer steps ({@code Long.MAX_VALUE} when the run has no step
     * limit).
     */
    LrSchedule schedule(long totalSteps);

    /** Linear warmup, then the base rate (ConstantWithWarmupLR). */
    record ConstantWithWarmup(long warmupSteps) implements LrScheduleConfig {
        /** Validates the range. */
        public ConstantWithWarmup {
            checkWarmup(warmupSteps);
        }

        @Override
        public ObjectNode toOptions() {
            return JsonNodeFactory.instance.objectNode().put("warmup_steps", warmupSteps);
        }

        @Override
        public ConstantWithWarmup withOptions(JsonNode s) {
            return new ConstantWithWarmup(s.path("warmup_steps").asLong(warmupSteps));
        }

        @Override
        public LrSchedule schedule(long totalSteps) {
            return LrSchedule.constantWithWarmup(warmupSteps);
        }
    }

    /**
     * Linear warmup, then cosine decay to {@code minFraction} of the base rate over the run's steps
     * (CosineWithWarmupLR with {@code training_steps} = the run's steps, or 0 when the run has no step limit).
     */
    record CosineWithWarmup(long warmupSteps, double numCycles, double minFraction) implements LrScheduleConfig {
        /** Validates the ranges. */
        public CosineWithWarmup {
            checkWarmup(warmupSteps);
            if (!(minFraction >= 0 && minFraction <= 1)) {
                throw new IllegalArgumentException("lr_scheduler.min_fraction (" + minFraction + ") must be in [0, 1]");
            }
            if (!(numCycles > 0) || Double.isInfinite(numCycles)) {
                throw new IllegalArgumentException("lr_scheduler.num_cycles (" + numCycles + ") must be > 0");
            }
        }

        @Override
        public ObjectNode toOptions() {
            return JsonNodeFactory.instance
                    .objectNode()
                    .put("warmup_steps", warmupSteps)
                    .put("num_cycles", numCycles)
                    .put("min_fraction", minFraction);
        }

        @Override
        public CosineWithWarmup withOptions(JsonNode s) {
            return new CosineWithWarmup(
                    s.path("warmup_steps").asLong(warmupSteps),
                    s.path("num_cycles").asDouble(numCycles),
                    s.path("min_fraction").asDouble(minFraction));
        }

        @Override
        public LrSchedule schedule(long totalSteps) {
            return LrSchedule.cosineWithWarmup(
                    totalSteps == Long.MAX_VALUE ? 0 : totalSteps, warmupSteps, numCycles, minFraction);
        }
    }

    private static void checkWarmup(long warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("lr_scheduler.warmup_steps (" + warmupSteps + ") must be >= 0");
        }
    }
}
