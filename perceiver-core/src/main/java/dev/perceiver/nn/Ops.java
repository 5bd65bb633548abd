package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Stateless tensor functions used by the building blocks. */
public final class Ops {
    private Ops() {}

    /** Exact (erf) GELU, as torch.nn.GELU(). */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /**
     * A 0-dimensional float32 array holding {@code value} whose memory libtorch owns. Use it instead of the
     * {@code Number} overloads ({@code x.mul(0.5f)}) wherever autograd may keep the scalar for the backward pass: on
     * the PyTorch engine those overloads wrap the number in a tensor that borrows Java memory, which the JVM may free
     * before backward reads it (gradients from garbage).
     */
    public static NDArray scalar(NDManager manager, float value) {
        return Tensors.owned(manager, new float[] {value}, new Shape());
    }

    /** {@code x * value} with an owned scalar (safe under autograd). */
    public static NDArray mul(NDArray x, float value) {
        return x.mul(scalar(x.getManager(), value));
    }

    /** {@code x / value} with an owned scalar (safe under autograd). */
    public static NDArray div(NDArray x, float value) {
        return x.div(scalar(x.getManager(), value));
    }

    /**
     * The view {@code x[..., start:end, ...]} along {@code axis} (torch's narrow): one slicing operation, where an
     * index over all leading axes slices each of them.
     */
    public static NDArray narrow(NDArray x, int axis, long start, long end) {
        if (x instanceof PtNDArray pt) {
            return JniUtils.slice(pt, axis, start, end, 1);
        }
        return x.get(new NDIndex().addAllDim(axis).addSliceDim(start, end));
    }

    /** Inverted dropout with probability {@code p}, active only when {@code training}. */
    public static NDArray dropout(NDArray x, double p, boolean training) {
        if (!training || p <= 0.0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, (float) p, true).singletonOrThrow();
    }

    /**
     * Max pooling of channels-first images without padding, as {@code torch.nn.MaxPool2d(kernel, stride)}:
     * (b, c, h, w) -> (b, c, (h - kernel) / stride + 1, (w - kernel) / stride + 1), rounded down.
     */
    public static NDArray maxPool2d(NDArray x, int kernel, int stride) {
        Checks.positive("kernel", kernel);
        Checks.positive("stride", stride);
        if (x.getShape().dimension() != 4) {
            throw new IllegalArgumentException(
                    "max pooling input shape " + x.getShape() + " must be (batch, channels, height, width)");
        }
        return x.getNDArrayInternal()
                .maxPool(new Shape(kernel, kernel), new Shape(stride, stride), new Shape(0, 0), false);
    }
}
