package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.onnx.OnnxGraph.Attribute;
import dev.perceiver.model.blocks.ConvDownsample;
import dev.perceiver.model.position.FourierPositionEncoding;
import dev.perceiver.nn.BatchNorm2d;
import dev.perceiver.nn.Conv2d;
import dev.perceiver.nn.Linear;
import dev.perceiver.tasks.vision.ConvImageInputAdapter;
import dev.perceiver.tasks.vision.ImageInputAdapter;
import dev.perceiver.tasks.vision.LearnedImageInputAdapter;
import dev.perceiver.tasks.vision.OpticalFlowInputAdapter;
import java.util.List;

/**
 * The per-example channels p (b, M, C1) of the factored input of the vision adapters as ONNX nodes (the shared
 * channels, a position encoding, are constants computed at export, see {@link PerceiverGraphs#factored}): pixels
 * with Fourier features, the learned 1 x 1 convolution, the conv stem (Conv, BatchNormalization with the running
 * statistics, Relu, MaxPool) and the optical-flow patch projection. Images are channels last as the adapters take
 * them.
 */
final class ImageGraphs {
    private final OnnxGraph g;
    private final GraphOps ops;

    ImageGraphs(GraphOps ops) {
        this.ops = ops;
        this.g = ops.graph();
    }

    /** {@link ImageInputAdapter}: images (b, *spatial, c) -> pixels (b, M, c). */
    String pixels(String x, ImageInputAdapter adapter) {
        int[] shape = adapter.imageShape();
        return g.op("Reshape", List.of(x, g.ints(0, -1, shape[shape.length - 1])));
    }

    /** {@link LearnedImageInputAdapter}: images (b, h, w, c) -> conv1x1(x) (b, h*w, num_prep_channels). */
    String learned(String x, LearnedImageInputAdapter adapter) {
        Conv2d conv = adapter.conv();
        NDArray w = conv.weight().array(); // (out, in, 1, 1)
        long[] s = w.getShape().getShape();
        String pixels = g.op("Reshape", List.of(x, g.ints(0, -1, s[1])));
        return ops.linear(
                pixels,
                w.reshape(s[0], s[1]),
                conv.bias() == null ? null : conv.bias().array());
    }

    /**
     * {@link ConvImageInputAdapter}: images (b, h, w, c) of any size -> the adapted input (b, h2*w2,
     * num_prep_channels + Fourier channels): the conv stem's features followed by the Fourier features of the (h2,
     * w2) grid, computed in the graph from the grid's size.
     */
    String convAdapted(String x, ConvImageInputAdapter adapter) {
        String[] stem = convStem(x, adapter);
        String h2 = g.op("Shape", List.of(stem[1]), Attribute.of("start", 2L), Attribute.of("end", 3L));
        String w2 = g.op("Shape", List.of(stem[1]), Attribute.of("start", 3L), Attribute.of("end", 4L));
        String e = gridFourierFeatures(h2, w2, adapter.numFrequencyBands(), adapter.maxResolution());
        String batch = g.op("Shape", List.of(x), Attribute.of("start", 0L), Attribute.of("end", 1L));
        String shared = g.op(
                "Expand",
                List.of(
                        g.op("Unsqueeze", List.of(e, g.ints(0))),
                        g.op("Concat", List.of(batch, g.ints(1, 1)), Attribute.of("axis", 0L))));
        return g.op("Concat", List.of(stem[0], shared), Attribute.of("axis", -1L));
    }

    /**
     * The Fourier features (h*w, 2 * (2 * bands + 1)) of a grid of (1) int64 sizes h and w, in the layout of
     * {@link FourierPositionEncoding#encode}: [coordinates, sines, cosines], each (h, w). The coordinates are
     * torch's linspace(-1, 1, size) (both halves from their own end), the frequencies linspace(1, max_resolution /
     * 2, bands) computed at export.
     */
    private String gridFourierFeatures(String h, String w, int bands, int[] maxResolution) {
        String hw = g.op("Concat", List.of(h, w), Attribute.of("axis", 0L));
        String[] coords = new String[2];
        String[] sines = new String[2];
        String[] cosines = new String[2];
        String[] sizes = {h, w};
        for (int d = 0; d < 2; d++) {
            String c = linspace(sizes[d]); // (s)
            String gridShape = d == 0
                    ? g.op("Concat", List.of(h, g.ints(1, 1)), Attribute.of("axis", 0L))
                    : g.op("Concat", List.of(g.ints(1), w, g.ints(1)), Attribute.of("axis", 0L));
            String full = g.op("Concat", List.of(hw, g.ints(1)), Attribute.of("axis", 0L));
            String grid = g.op("Expand", List.of(g.op("Reshape", List.of(c, gridShape)), full)); // (h, w, 1)
            coords[d] = g.op("Reshape", List.of(grid, g.ints(-1, 1)));
            float[] f = new float[bands];
            try (NDManager m = NDManager.newBaseManager()) {
                f = m.linspace(1f, maxResolution[d] / 2f, bands).toFloatArray();
            }
            String angles = g.op("Mul", List.of(g.op("Mul", List.of(coords[d], g.floats(f))), g.scalar((float)
                    Math.PI))); // (M, bands)
            sines[d] = g.op("Sin", List.of(angles));
            cosines[d] = g.op("Cos", List.of(angles));
        }
        return g.op(
                "Concat",
                List.of(coords[0], coords[1], sines[0], sines[1], cosines[0], cosines[1]),
                Attribute.of("axis", 1L));
    }

    /** linspace(-1, 1, s) float32 (s) of a (1) int64 size s, as torch computes it (s = 1 gives -1). */
    private String linspace(String s) {
        String idx = g.op(
                "Cast",
                List.of(g.op(
                        "Range",
                        List.of(
                                g.op("Squeeze", List.of(g.ints(0))),
                                g.op("Squeeze", List.of(s)),
                                g.op("Squeeze", List.of(g.ints(1)))))),
                Attribute.of("to", (long) OnnxGraph.FLOAT)); // (s)
        String sf = g.op("Cast", List.of(s), Attribute.of("to", (long) OnnxGraph.FLOAT));
        String last = g.op("Sub", List.of(sf, g.scalar(1f)));
        String step = g.op("Div", List.of(g.scalar(2f), g.op("Max", List.of(last, g.scalar(1f)))));
        String halfway = g.op("Cast", List.of(g.op("Div", List.of(s, g.ints(2)))), Attribute.of("to", (long)
                OnnxGraph.FLOAT)); // integer division, then float
        String low = g.op("Add", List.of(g.scalar(-1f), g.op("Mul", List.of(step, idx))));
        String high = g.op("Sub", List.of(g.scalar(1f), g.op("Mul", List.of(step, g.op("Sub", List.of(last, idx))))));
        String v = g.op("Where", List.of(g.op("Less", List.of(idx, halfway)), low, high));
        return g.op("Where", List.of(g.op("Equal", List.of(s, g.ints(1))), g.scalar(-1f), v));
    }

    /** The conv stem: {features (b, h2*w2, num_prep_channels), the pooled (b, C, h2, w2) value}. */
    private String[] convStem(String x, ConvImageInputAdapter adapter) {
        ConvDownsample stem = adapter.downsample();
        Conv2d conv = stem.conv();
        long[] k = conv.weight().shape().getShape();
        long[] stride = conv.stride().getShape();
        long[] pad = conv.padding().getShape();
        String nchw = g.op("Transpose", List.of(x), Attribute.ints("perm", 0, 3, 1, 2));
        List<String> in = conv.bias() == null
                ? List.of(nchw, g.constant(conv.weight().array()))
                : List.of(
                        nchw,
                        g.constant(conv.weight().array()),
                        g.constant(conv.bias().array()));
        String c = g.op(
                "Conv",
                in,
                Attribute.ints("kernel_shape", k[2], k[3]),
                Attribute.ints("strides", stride),
                Attribute.ints("pads", pad[0], pad[1], pad[0], pad[1]));
        BatchNorm2d bn = stem.batchNorm();
        String normed = g.op(
                "BatchNormalization",
                List.of(
                        c,
                        g.constant(bn.weight().array()),
                        g.constant(bn.bias().array()),
                        g.constant(bn.runningMean().array()),
                        g.constant(bn.runningVar().array())),
                Attribute.of("epsilon", BatchNorm2d.EPS));
        String pooled = g.op(
                "MaxPool",
                List.of(g.op("Relu", List.of(normed))),
                Attribute.ints("kernel_shape", 3, 3),
                Attribute.ints("strides", 2, 2));
        String nhwc = g.op("Transpose", List.of(pooled), Attribute.ints("perm", 0, 2, 3, 1));
        return new String[] {g.op("Reshape", List.of(nhwc, g.ints(0, -1, k[0]))), pooled};
    }

    /**
     * {@link OpticalFlowInputAdapter}: patch features of two frames (b, 2, c, h, w) -> linear([frame 1, frame 2]) per
     * pixel (b, h*w, num_patch_hidden_channels).
     */
    String flowPatches(String x, OpticalFlowInputAdapter adapter) {
        String perPixel = g.op("Transpose", List.of(x), Attribute.ints("perm", 0, 3, 4, 1, 2)); // (b, h, w, 2, c)
        String flat = g.op("Reshape", List.of(perPixel, g.ints(0, -1, 2L * adapter.numPatchInputChannels())));
        Linear linear = adapter.linear();
        return ops.linear(flat, linear.weight().array(), GraphOps.bias(linear));
    }
}
