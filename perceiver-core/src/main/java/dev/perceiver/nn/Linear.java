package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
        return apply(x, weight.array(), bias == null ? null : bias.array());
    }

    /**
     * {@code x W^T + b} for any weight (out, in) and optional bias (out): (..., in) -> (..., out). Inputs of up to
     * three dimensions go to libtorch's linear as they are (it folds a contiguous (b, n, in) input into one fused
     * matrix multiply-add itself); more dimensions are flattened to (rows, in) first.
     */
    public static NDArray apply(NDArray x, NDArray w, NDArray b) {
        long[] s = x.getShape().getShape();
        if (s.length <= 3) {
            return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
        }
        NDArray flat = x.reshape(-1, s[s.length - 1]);
        NDArray y = flat.getNDArrayInternal().linear(flat, w, b).singletonOrThrow();
        long[] out = s.clone();
        out[out.length - 1] = w.getShape().get(0);
        return y.reshape(out);
    }

    /** The weights of {@code linears} stacked along the output axis: (sum out_l, in). */
    public static NDArray stackedWeight(Linear... linears) {
        NDList w = new NDList();
        for (Linear l : linears) {
            w.add(l.weight().array());
        }
        return NDArrays.concat(w, 0);
    }

    /**
     * The biases of {@code linears} stacked (sum out_l), a layer without bias contributing zeros so that the result
     * lines up with {@link #stackedWeight}; null when none of them has a bias.
     */
    public static NDArray stackedBias(Linear... linears) {
        boolean any = false;
        for (Linear l : linears) {
            any |= l.bias() != null;
        }
        if (!any) {
            return null;
        }
        NDList b = new NDList();
        NDList zeros = new NDList();
        for (Linear l : linears) {
            if (l.bias() != null) {
                b.add(l.bias().array());
            } else {
                NDArray z = l.weight().array().getManager().zeros(new ai.djl.ndarray.types.Shape(l.outFeatures()));
                zeros.add(z);
                b.add(z);
            }
        }
        NDArray stacked = NDArrays.concat(b, 0);
        zeros.close();
        return stacked;
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
