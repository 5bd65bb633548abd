package dev.perceiver.train;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Trainer options with the reference (PyTorch Lightning) names.
 *
 * @param maxSteps optimizer steps to train, or -1 for no limit (then {@code maxEpochs} limits)
 * @param maxEpochs epochs to train, or -1 for no limit (then {@code maxSteps} limits)
 * @param valCheckSteps validate every this many optimizer steps, or 0 to validate by epoch fraction
 * @param valCheckFraction when {@code valCheckSteps} is 0: validate after this fraction (0, 1] of each epoch;
 *     validation also runs at the end of training
 * @param limitValBatches validation batches to use per validation, or -1 for all
 * @param accumulateGradBatches micro-batches whose gradients are summed per optimizer step (loss divided by it)
 * @param gradientClipVal clip gradients to this global L2 norm, or 0 for no clipping
 * @param logEveryNSteps training metrics are written to metrics.csv and stderr every this many steps
 * @param seed seed of weights, dropout and data order
 * @param maxTimeSeconds stop (validate and checkpoint) at the first step boundary after this many seconds of the
 *     run (resumed runs count their earlier time), or 0 for no limit (Lightning's {@code max_time})
 */
public record TrainerConfig(
        long maxSteps,
        int maxEpochs,
        int valCheckSteps,
        double valCheckFraction,
        int limitValBatches,
        int accumulateGradBatches,
        double gradientClipVal,
        int logEveryNSteps,
        long seed,
        long maxTimeSeconds) {
    /** Validates the ranges. */
    public TrainerConfig {
        if (maxSteps < -1 || maxSteps == 0) {
            throw new IllegalArgumentException("trainer.max_steps (" + maxSteps + ") must be > 0 or -1 (no limit)");
        }
        if (maxEpochs < -1 || maxEpochs == 0) {
            throw new IllegalArgumentException("trainer.max_epochs (" + maxEpochs + ") must be > 0 or -1 (no limit)");
        }
        if (maxSteps == -1 && maxEpochs == -1) {
            throw new IllegalArgumentException("one of trainer.max_steps and trainer.max_epochs must be set (> 0)");
        }
        if (valCheckSteps < 0) {
            throw new IllegalArgumentException("trainer.val_check_interval (" + valCheckSteps
                    + ") must be a whole number of steps >= 1 or a fraction of an epoch in (0.0, 1.0]");
        }
        if (valCheckSteps == 0 && !(valCheckFraction > 0 && valCheckFraction <= 1)) {
            throw new IllegalArgumentException("trainer.val_check_interval (" + valCheckFraction
                    + ") must be a whole number of steps >= 1 or a fraction of an epoch in (0.0, 1.0]");
        }
        if (limitValBatches < -1 || limitValBatches == 0) {
            throw new IllegalArgumentException(
                    "trainer.limit_val_batches (" + limitValBatches + ") must be > 0 or -1 (all)");
        }
        if (accumulateGradBatches < 1) {
            throw new IllegalArgumentException(
                    "trainer.accumulate_grad_batches (" + accumulateGradBatches + ") must be >= 1");
        }
        if (!(gradientClipVal >= 0) || Double.isInfinite(gradientClipVal)) {
            throw new IllegalArgumentException(
                    "trainer.gradient_clip_val (" + gradientClipVal + ") must be >= 0 (0 = no clipping)");
        }
        if (maxTimeSeconds < 0) {
            throw new IllegalArgumentException("trainer.max_time (" + maxTimeSeconds + " s) must be >= 0");
        }
        if (logEveryNSteps < 1) {
            throw new IllegalArgumentException("trainer.log_every_n_steps (" + logEveryNSteps + ") must be >= 1");
        }
    }

    /**
     * Reads the {@code trainer} options. {@code val_check_interval} is a whole number of steps when it is an integer
     * or greater than 1, otherwise a fraction of an epoch.
     *
     * @param seed {@code seed_everything}
     */
    public static TrainerConfig fromOptions(JsonNode t, long seed) {
        JsonNode vci = t.path("val_check_interval");
        int steps = 0;
        double fraction = 1.0;
        if (vci.isIntegralNumber() || vci.asDouble() > 1) {
            if (vci.asDouble() != Math.rint(vci.asDouble()) || vci.asDouble() < 1) {
                throw new IllegalArgumentException("trainer.val_check_interval (" + vci + ") must be a whole number "
                        + "of steps >= 1 or a fraction of an epoch in (0.0, 1.0]");
            }
            steps = (int) vci.asDouble();
        } else {
            fraction = vci.asDouble();
        }
        return new TrainerConfig(
                t.path("max_steps").asLong(),
                t.path("max_epochs").asInt(),
                steps,
                fraction,
                t.path("limit_val_batches").asInt(),
                t.path("accumulate_grad_batches").asInt(),
                t.path("gradient_clip_val").asDouble(),
                t.path("log_every_n_steps").asInt(),
                seed,
                parseMaxTime(
                        t.path("max_time").isNull() ? null : t.path("max_time").asText()));
    }

    /** Seconds of a {@code DD:HH:MM:SS} duration (Lightning's max_time format), 0 for null or empty. */
    public static long parseMaxTime(String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        String[] parts = text.strip().split(":");
        if (parts.length != 4) {
            throw new IllegalArgumentException("trainer.max_time ('" + text + "') must be DD:HH:MM:SS");
        }
        long[] scale = {86400, 3600, 60, 1};
        long total = 0;
        for (int i = 0; i < 4; i++) {
            try {
                long v = Long.parseLong(parts[i]);
                if (v < 0) {
                    throw new NumberFormatException();
                }
                total += v * scale[i];
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "trainer.max_time ('" + text + "') must be DD:HH:MM:SS with " + "non-negative integers", e);
            }
        }
        return total;
    }

    /** Optimizer steps of the whole run for a data set of {@code batchesPerEpoch} micro-batches per epoch. */
    public long totalSteps(int batchesPerEpoch) {
        long perEpoch = (batchesPerEpoch + accumulateGradBatches - 1) / accumulateGradBatches;
        long byEpochs = maxEpochs == -1 ? Long.MAX_VALUE : perEpoch * maxEpochs;
        return maxSteps == -1 ? byEpochs : Math.min(maxSteps, byEpochs);
    }

    /**
     * Settings that fit the data badly but are not errors: max_epochs ending the run before max_steps, and a warmup
     * longer than the run. One line each, for the progress output.
     *
     * @param batchesPerEpoch training micro-batches per epoch
     * @param warmupSteps the learning-rate schedule's warmup steps
     */
    public java.util.List<String> warnings(int batchesPerEpoch, long warmupSteps) {
        java.util.List<String> out = new java.util.ArrayList<>();
        long total = totalSteps(batchesPerEpoch);
        if (maxSteps != -1 && maxEpochs != -1 && total < maxSteps) {
            out.add("warning: trainer.max_epochs (" + maxEpochs + ") ends the run after " + total + " steps, before "
                    + "trainer.max_steps (" + maxSteps + ") at " + batchesPerEpoch + " batches per epoch; set "
                    + "--trainer.max_epochs=-1 to train " + maxSteps + " steps");
        }
        if (warmupSteps > 0 && total != Long.MAX_VALUE && warmupSteps >= total) {
            out.add("warning: lr_scheduler.warmup_steps (" + warmupSteps + ") is not shorter than the run (" + total
                    + " steps): the learning rate never reaches optimizer.lr");
        }
        return out;
    }
}
