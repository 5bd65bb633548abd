package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D convolution over channels-first images, as {@code torch.nn.Conv2d} with zero padding, no dilation and one
 * group: (b, in, h, w) -> (b, out, (h + 2 * pad_h - k_h) / stride + 1, (w + 2 * pad_w - k_w) / stride + 1), rounded
 * down. Parameters {@code weight} (out, in, k_h, k_w) and optional {@code bias} (out); initialised as the reference
 * initialises its linear layers (weight ~ N(0, init_scale), bias = 0).
 */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;
    private final Shape padding;

    /**
     * @param kernel (k_h, k_w), each > 0
     * @param stride the step in both spatial directions, > 0
     * @param padding zero padding (pad_h, pad_w) added on both sides, each >= 0
     */
    public Conv2d(
            NDManager manager,
            int inChannels,
            int outChannels,
            int[] kernel,
            int stride,
            int[] padding,
            boolean bias,
            double initScale) {
        super(manager);
        Checks.positive("in_channels", inChannels);
        Checks.positive("out_channels", outChannels);
        Checks.require(kernel.length == 2 && padding.length == 2, "kernel and padding must be (height, width)");
        Checks.positive("kernel height", kernel[0]);
        Checks.positive("kernel width", kernel[1]);
        Checks.positive("stride", stride);
        Checks.nonNegative("padding height", padding[0]);
        Checks.nonNegative("padding width", padding[1]);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding[0], padding[1]);
        this.weight = parameter("weight", normal(initScale, outChannels, inChannels, kernel[0], kernel[1]));
        this.bias = bias ? parameter("bias", manager.zeros(new Shape(outChannels))) : null;
    }

    /** (b, in, h, w) -> (b, out, h', w'). */
    public NDArray forward(NDArray x) {
        long[] s = x.getShape().getShape();
        long in = weight.shape().get(1);
        if (s.length != 4 || s[1] != in) {
            throw new IllegalArgumentException(
                    "convolution input shape " + x.getShape() + " must be (batch, " + in + ", height, width)");
        }
        if ("PyTorch".equals(x.getManager().getEngine().getEngineName())) {
            Nnpack.disable();
        }
        return x.getNDArrayInternal()
                .convolution(x, weight.array(), bias == null ? null : bias.array(), stride, padding, new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /** Weight (out, in, k_h, k_w). */
    public Parameter weight() {
        return weight;
    }

    /** Bias (out), or null. */
    public Parameter bias() {
        return bias;
    }

    /** The step (s_h, s_w). */
    public Shape stride() {
        return stride;
    }

    /** The zero padding (pad_h, pad_w) on both sides. */
    public Shape padding() {
        return padding;
    }
}
