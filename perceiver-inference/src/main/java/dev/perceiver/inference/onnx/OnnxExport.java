package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.perceiver.inference.onnx.OnnxGraph.Attribute;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.adapter.ClassificationOutputAdapter;
import dev.perceiver.model.adapter.OutputAdapter;
import dev.perceiver.model.adapter.TiedTokenOutputAdapter;
import dev.perceiver.model.adapter.TokenInputAdapter;
import dev.perceiver.model.adapter.TokenOutputAdapter;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.ImageInputAdapter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a task model as an ONNX model (opset 17) from its own module tree, with dynamic batch and sequence axes:
 *
 * <ul>
 *   <li>image classifier: {@code x} float32 (batch, *image_shape) -> {@code logits} (batch, num_classes)
 *   <li>masked LM: {@code x} int64 (batch, seq), {@code pad_mask} bool (batch, seq), true = padding -> {@code logits}
 *       (batch, seq, vocab_size)
 *   <li>text classifier: {@code x}, {@code pad_mask} as the masked LM -> {@code logits} (batch, num_classes)
 * </ul>
 *
 * The graph computes what the module's forward pass computes (see {@link PerceiverGraphs} for how it saves work);
 * outputs equal the libtorch forward pass up to float rounding.
 */
public final class OnnxExport {
    private OnnxExport() {}

    /** Whether {@link #export} supports this model. */
    public static boolean supports(Module model) {
        return (model instanceof ImageClassifier c && c.encoder().inputAdapter() instanceof ImageInputAdapter)
                || model instanceof MaskedLanguageModel
                || model instanceof TextClassifier;
    }

    /** The model classes {@link #export} supports, for messages. */
    public static String supported() {
        return "ImageClassifier (pixels with Fourier features), MaskedLanguageModel, TextClassifier";
    }

    /**
     * Writes {@code model} to {@code file} atomically.
     *
     * @throws IllegalArgumentException if the model class is not supported
     */
    public static void export(Module model, Path file) throws IOException {
        export(model, file, false);
    }

    /**
     * Writes {@code model} to {@code file} atomically; with {@code microsoftOps} the graph may use ONNX Runtime's
     * {@code com.microsoft} operators (fused residual add and layer norm), and then loads in ONNX Runtime only.
     *
     * @throws IllegalArgumentException if the model class is not supported
     */
    public static void export(Module model, Path file, boolean microsoftOps) throws IOException {
        if (!supports(model)) {
            throw new IllegalArgumentException("model class " + model.getClass().getSimpleName()
                    + " cannot be exported to ONNX; supported: " + supported());
        }
        try (NDScope scope = new NDScope()) {
            OnnxGraph g = new OnnxGraph();
            GraphOps ops = new GraphOps(g, microsoftOps);
            PerceiverGraphs blocks = new PerceiverGraphs(ops);
            PerceiverIO io = (PerceiverIO) model;
            String out;
            if (model instanceof ImageClassifier ic) {
                out = image(g, blocks, ic);
            } else {
                out = text(g, ops, blocks, io, model instanceof MaskedLanguageModel);
            }
            g.save(file, "perceiver-jvm", model.getClass().getSimpleName());
            scope.suppressNotUsedWarning();
        }
    }

    private static String image(OnnxGraph g, PerceiverGraphs blocks, ImageClassifier model) {
        ImageInputAdapter adapter = (ImageInputAdapter) model.encoder().inputAdapter();
        int[] shape = adapter.imageShape();
        Object[] dims = new Object[shape.length + 1];
        dims[0] = "batch";
        for (int i = 0; i < shape.length; i++) {
            dims[i + 1] = (long) shape[i];
        }
        String x = g.input("x", OnnxGraph.FLOAT, dims);
        long c1 = shape[shape.length - 1];
        String p = g.op("Reshape", List.of(x, g.ints(0, -1, c1)));
        NDArray e = adapter.positionEncoding().encoding();
        String latents = blocks.encoder(model.encoder(), blocks.factored(p, e, c1), null);
        String logits = decode(g, blocks, model.decoder(), latents, null);
        int classes = ((ClassificationOutputAdapter) model.decoder().outputAdapter())
                .linear()
                .outFeatures();
        g.output(logits, "logits", OnnxGraph.FLOAT, "batch", (long) classes);
        return logits;
    }

    private static String text(OnnxGraph g, GraphOps ops, PerceiverGraphs blocks, PerceiverIO model, boolean mlm) {
        TokenInputAdapter adapter = (TokenInputAdapter) model.encoder().inputAdapter();
        String x = g.input("x", OnnxGraph.INT64, "batch", "seq");
        String padMask = g.input("pad_mask", OnnxGraph.BOOL, "batch", "seq");
        String seqLen = g.op("Shape", List.of(x), Attribute.of("start", 1L), Attribute.of("end", 2L));
        String emb = g.op(
                "Gather", List.of(g.constant(adapter.txtEmbedding().weight().array()), x));
        if (adapter.posEmbedding() != null) {
            String pos = g.op(
                    "Slice",
                    List.of(g.constant(adapter.posEmbedding().weight().array()), g.ints(0), seqLen, g.ints(0)));
            emb = ops.add(emb, pos);
        }
        String bias = g.op("Where", List.of(padMask, g.scalar(-Float.MAX_VALUE), g.scalar(0f)));
        bias = g.op("Unsqueeze", List.of(bias, g.ints(1, 2))); // (b, 1, 1, n)
        String latents = blocks.encoder(model.encoder(), blocks.plain(emb), bias);
        String logits = decode(g, blocks, model.decoder(), latents, mlm ? seqLen : null);
        OutputAdapter out = model.decoder().outputAdapter();
        if (mlm) {
            int vocab = adapter.vocabSize();
            g.output(logits, "logits", OnnxGraph.FLOAT, "batch", "seq", (long) vocab);
        } else {
            int classes = ((ClassificationOutputAdapter) out).linear().outFeatures();
            g.output(logits, "logits", OnnxGraph.FLOAT, "batch", (long) classes);
        }
        return logits;
    }

    /** The decoder and its output adapter; the MLM's queries are cut to the input's length {@code seqLen}. */
    private static String decode(
            OnnxGraph g, PerceiverGraphs blocks, PerceiverDecoder decoder, String latents, String seqLen) {
        NDArray queries = ((TrainableQueryProvider) decoder.queryProvider()).query(null);
        String h = blocks.decoder(decoder, queries, latents, seqLen);
        GraphOps ops = new GraphOps(g);
        OutputAdapter out = decoder.outputAdapter();
        long numQueries = queries.getShape().get(1);
        if (out instanceof TiedTokenOutputAdapter tied) {
            return ops.linear(
                    h,
                    tied.embedding().weight().array(),
                    tied.bias() == null ? null : tied.bias().array());
        }
        Linear linear = out instanceof ClassificationOutputAdapter c ? c.linear() : ((TokenOutputAdapter) out).linear();
        String y = ops.linear(h, linear.weight().array(), GraphOps.bias(linear));
        return numQueries == 1 && seqLen == null ? g.op("Squeeze", List.of(y, g.ints(1))) : y;
    }
}
