package dev.perceiver.train.optim;

/**
 * AdamW settings with torch.optim.AdamW's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01).
 * {@code decoupled = false} gives torch.optim.Adam (weight decay added to the gradient, default 0).
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    /** Validates the ranges. */
    public AdamWConfig {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("optimizer.lr (" + lr + ") must be a finite number >= 0");
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("optimizer.betas[0] (" + beta1 + ") must be in [0, 1)");
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("optimizer.betas[1] (" + beta2 + ") must be in [0, 1)");
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("optimizer.eps (" + eps + ") must be a finite number >= 0");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(
                    "optimizer.weight_decay (" + weightDecay + ") must be a finite number >= 0");
        }
    }

    /** torch.optim.AdamW defaults. */
    public static AdamWConfig defaults() {
        return new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 0.01, true);
    }

    /** Copy with another learning rate. */
    public AdamWConfig withLr(double newLr) {
        return new AdamWConfig(newLr, beta1, beta2, eps, weightDecay, decoupled);
    }
}
