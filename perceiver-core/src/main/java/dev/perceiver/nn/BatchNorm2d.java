package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Batch normalisation of channels-first images with frozen statistics, as {@code torch.nn.BatchNorm2d} in eval mode:
 * {@code (x - running_mean[c]) / sqrt(running_var[c] + eps) * weight[c] + bias[c]}, (b, C, h, w) -> (b, C, h, w).
 * The running statistics are loaded from a checkpoint and never updated (also in training mode: this project only
 * runs published models that carry them). Parameters {@code weight}, {@code bias} (C); buffers
 * {@code running_mean}, {@code running_var} (C) and {@code num_batches_tracked} (int64 scalar, kept for the
 * checkpoint's sake), as torch names them.
 */
public final class BatchNorm2d extends Module {
    /** torch's default epsilon. */
    public static final float EPS = 1e-5f;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final int numChannels;

    public BatchNorm2d(NDManager manager, int numChannels) {
        super(manager);
        Checks.positive("num_channels", numChannels);
        this.numChannels = numChannels;
        Shape c = new Shape(numChannels);
        weight = parameter("weight", manager.ones(c));
        bias = parameter("bias", manager.zeros(c));
        runningMean = buffer("running_mean", manager.zeros(c));
        runningVar = buffer("running_var", manager.ones(c));
        buffer("num_batches_tracked", manager.zeros(new Shape(), DataType.INT64));
    }

    /** (b, C, h, w) -> (b, C, h, w), normalised with the running statistics. */
    public NDArray forward(NDArray x) {
        long[] s = x.getShape().getShape();
        if (s.length != 4 || s[1] != numChannels) {
            throw new IllegalArgumentException(
                    "batch norm input shape " + x.getShape() + " must be (batch, " + numChannels + ", height, width)");
        }
        return x.getNDArrayInternal()
                .batchNorm(
                        x, runningMean.array(), runningVar.array(), weight.array(), bias.array(), 1, 0.1f, EPS, false)
                .singletonOrThrow();
    }

    /** The scale (C). */
    public Parameter weight() {
        return weight;
    }

    /** The shift (C). */
    public Parameter bias() {
        return bias;
    }

    /** The running mean (C). */
    public Parameter runningMean() {
        return runningMean;
    }

    /** The running variance (C). */
    public Parameter runningVar() {
        return runningVar;
    }
}
