package dev.perceiver.train.optim;

/**
 * A learning-rate schedule as a factor of the base learning rate, a function of the number of optimizer steps
 * already taken (0 for the first step), as torch's LambdaLR stepped once per optimizer step.
 */
@FunctionalInterface
public interface LrSchedule {
    /** Factor of the base learning rate for the update after {@code step} completed steps. */
    double factor(long step);

    /** A constant factor 1. */
    static LrSchedule constant() {
        return step -> 1.0;
    }

    /**
     * Linear warmup from 0 over {@code warmupSteps} steps, then 1 (the reference's ConstantWithWarmupLR):
     * {@code step < warmup ? step / max(1, warmup) : 1}.
     */
    static LrSchedule constantWithWarmup(long warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("lr_scheduler.warmup_steps (" + warmupSteps + ") must be >= 0");
        }
        return step -> step < warmupSteps ? (double) step / Math.max(1.0, warmupSteps) : 1.0;
    }

    /**
     * Linear warmup, then cosine decay (the reference's CosineWithWarmupLR): with
     * {@code progress = (step - warmup) / max(1, training - warmup)} the factor is
     * {@code min_fraction + max(0, 0.5 * (1 - min_fraction) * (1 + cos(pi * num_cycles * 2 * progress)))}.
     */
    static LrSchedule cosineWithWarmup(long trainingSteps, long warmupSteps, double numCycles, double minFraction) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("lr_scheduler.warmup_steps (" + warmupSteps + ") must be >= 0");
        }
        if (trainingSteps < 0) {
            throw new IllegalArgumentException("lr_scheduler.training_steps (" + trainingSteps + ") must be >= 0");
        }
        if (!(minFraction >= 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("lr_scheduler.min_fraction (" + minFraction + ") must be in [0, 1]");
        }
        if (!(numCycles > 0) || Double.isInfinite(numCycles)) {
            throw new IllegalArgumentException("lr_scheduler.num_cycles (" + numCycles + ") must be > 0");
        }
        return step -> {
            if (step < warmupSteps) {
                return (double) step / (double) Math.max(1, warmupSteps);
            }
            double progress = (double) (step - warmupSteps) / (double) Math.max(1, trainingSteps - warmupSteps);
            return minFraction
                    + Math.max(0.0, 0.5 * (1.0 - minFraction) * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
        };
    }
}
