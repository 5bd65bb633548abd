package dev.perceiver.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.perceiver.nn.Parameter;

/**
 * Clipping of gradients by their global L2 norm, as torch.nn.utils.clip_grad_norm_: with
 * {@code total = sqrt(sum ||g||^2)} every gradient is scaled by {@code min(1, max_norm / (total + 1e-6))}.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Clips in place and returns the total norm before clipping.
     *
     * @param maxNorm > 0
     */
    public static double clipByGlobalNorm(Iterable<Parameter> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("trainer.gradient_clip_val (" + maxNorm + ") must be > 0");
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double sumSq = 0;
            for (Parameter p : parameters) {
                if (p.array().hasGradient()) {
                    NDArray g = p.array().getGradient();
                    sumSq += g.mul(g).sum().getFloat();
                }
            }
            double total = Math.sqrt(sumSq);
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1.0) {
                for (Parameter p : parameters) {
                    if (p.array().hasGradient()) {
                        p.array().getGradient().muli((float) coef);
                    }
                }
            }
            return total;
        }
    }
}
