package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Layer normalisation over the last dimension (eps 1e-5, as torch.nn.LayerNorm): (..., C) -> (..., C). */
public final class LayerNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape normalizedShape;

    public LayerNorm(NDManager manager, int numChannels) {
        super(manager);
        Checks.positive("num_channels", numChannels);
        normalizedShape = new Shape(numChannels);
        weight = parameter("weight", manager.ones(normalizedShape));
        bias = parameter("bias", manager.zeros(normalizedShape));
    }

    /** Scale (C). */
    public Parameter weight() {
        return weight;
    }

    /** Shift (C). */
    public Parameter bias() {
        return bias;
    }

    /** The epsilon added to the variance. */
    public float eps() {
        return 1e-5f;
    }

    /** (..., C) -> (..., C). */
    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal()
                .layerNorm(x, normalizedShape, weight.array(), bias.array(), 1e-5f)
                .singletonOrThrow();
    }
}
