package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Affine map {@code y = x W^T + b} with {@code weight} of shape (out, in) and optional {@code bias} (out):
 * (..., in) -> (..., out). Initialised as the reference: weight ~ N(0, init_scale), bias = 0.
 */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int inFeatures;
    private final int outFeatures;

    public Linear(NDManager manager, int inFeatures, int outFeatures, boolean bias, double initScale) {
        super(manager);
        Checks.positive("in_features", inFeatures);
        Checks.positive("out_features", outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = parameter("weight", normal(initScale, outFeatures, inFeatures));
        this.bias = bias ? parameter("bias", manager.zeros(new ai.djl.ndarray.types.Shape(outFeatures))) : null;
    }

    /** (..., in) -> (..., out). */
    public NDArray forward(NDArray x) {
        NDArray b = bias == null ? null : bias.array();
        return x.getNDArrayInternal().linear(x, weight.array(), b).singletonOrThrow();
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null. */
    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }
}
