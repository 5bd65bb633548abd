package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.BatchNorm2d;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Conv2d;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Ops;

/**
 * The convolutional stem of the Perceiver's conv image preprocessor (transformers' {@code Conv2DDownsample}): a 7 x 7
 * convolution with stride 2 and zero padding 3 on every side, without bias, then batch normalisation with the
 * running statistics ({@link BatchNorm2d}), ReLU, and 3 x 3 max pooling with stride 2 and no padding. Downsamples
 * about 4x: (b, in, h, w) -> (b, out, h2, w2) with {@code h1 = (h - 1) / 2 + 1} after the convolution and
 * {@code h2 = (h1 - 3) / 2 + 1} after pooling (224 -> 112 -> 55), channels first. Children {@code conv},
 * {@code batch_norm}.
 */
public final class ConvDownsample extends Module {
    /** Kernel size of the convolution. */
    public static final int KERNEL = 7;

    private final Conv2d conv;
    private final BatchNorm2d batchNorm;

    public ConvDownsample(NDManager manager, int inChannels, int outChannels, double initScale) {
        super(manager);
        conv = child(
                "conv",
                new Conv2d(
                        manager,
                        inChannels,
                        outChannels,
                        new int[] {KERNEL, KERNEL},
                        2,
                        new int[] {KERNEL / 2, KERNEL / 2},
                        false,
                        initScale));
        batchNorm = child("batch_norm", new BatchNorm2d(manager, outChannels));
    }

    /** (b, in, h, w) -> (b, out, h2, w2); the input must be at least 5 x 5 (one pooling window). */
    public NDArray forward(NDArray x) {
        long[] s = x.getShape().getShape();
        Checks.require(
                s.length == 4 && s[2] >= 5 && s[3] >= 5,
                "conv preprocessor input shape " + x.getShape() + " must be (batch, channels, height, width) with"
                        + " height and width >= 5");
        NDArray h = batchNorm.forward(conv.forward(x));
        return Ops.maxPool2d(h.getNDArrayInternal().relu(), 3, 2);
    }

    /** Output size of one spatial dimension of size {@code n}. */
    public static int outputSize(int n) {
        int afterConv = (n - 1) / 2 + 1;
        return (afterConv - 3) / 2 + 1;
    }

    /** The 7 x 7 stride-2 convolution (conv). */
    public Conv2d conv() {
        return conv;
    }

    /** The batch norm (batch_norm). */
    public BatchNorm2d batchNorm() {
        return batchNorm;
    }
}
