package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Ops;

/**
 * Pre-layer-norm MLP: LayerNorm, Linear(C, widening_factor * C), GELU, Linear(widening_factor * C, C):
 * (..., C) -> (..., C). Parameters {@code 0} (norm), {@code 1} and {@code 3} (linear layers), as in the reference's
 * sequential layout.
 */
public final class Mlp extends Module {
    private final LayerNorm norm;
    private final Linear fc1;
    private final Linear fc2;

    public Mlp(NDManager manager, int numChannels, int wideningFactor, boolean bias, double initScale) {
        super(manager);
        Checks.positive("widening_factor", wideningFactor);
        norm = child("0", new LayerNorm(manager, numChannels));
        fc1 = child("1", new Linear(manager, numChannels, wideningFactor * numChannels, bias, initScale));
        fc2 = child("3", new Linear(manager, wideningFactor * numChannels, numChannels, bias, initScale));
    }

    /** (..., C) -> (..., C). */
    public NDArray forward(NDArray x) {
        return fc2.forward(Ops.gelu(fc1.forward(norm.forward(x))));
    }

    /** The layer norm (0). */
    public LayerNorm norm() {
        return norm;
    }

    /** The first linear layer (1), C -> widening_factor * C. */
    public Linear fc1() {
        return fc1;
    }

    /** The second linear layer (3), widening_factor * C -> C. */
    public Linear fc2() {
        return fc2;
    }
}
