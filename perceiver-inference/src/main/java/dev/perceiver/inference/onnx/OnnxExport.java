package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.perceiver.inference.onnx.OnnxGraph.Attribute;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.adapter.ClassificationOutputAdapter;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.adapter.OutputAdapter;
import dev.perceiver.model.adapter.TiedTokenOutputAdapter;
import dev.perceiver.model.adapter.TokenInputAdapter;
import dev.perceiver.model.adapter.TokenOutputAdapter;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.multimodal.MultimodalAutoencoder;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.vision.ConvImageInputAdapter;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.ImageInputAdapter;
import dev.perceiver.tasks.vision.LearnedImageInputAdapter;
import dev.perceiver.tasks.vision.OpticalFlow;
import dev.perceiver.tasks.vision.OpticalFlowInputAdapter;
import dev.perceiver.tasks.vision.OpticalFlowOutputAdapter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a task model as an ONNX model (opset 17) from its own module tree, with dynamic batch and sequence axes:
 *
 * <ul>
 *   <li>image classifier: {@code x} float32 (batch, *image_shape) -> {@code logits} (batch, num_classes)
 *   <li>masked LM: {@code x} int64 (batch, seq), {@code pad_mask} bool (batch, seq), true = padding -> {@code logits}
 *       (batch, seq, vocab_size)
 *   <li>text classifier: {@code x}, {@code pad_mask} as the masked LM -> {@code logits} (batch, num_classes)
 *   <li>optical flow: {@code x} float32 (batch, 2, c, h, w) -> {@code flow} (batch, h, w, 2)
 *   <li>causal LM and symbolic audio (Perceiver AR): {@code x}, {@code pad_mask} (left padding) as the masked LM and
 *       {@code prefix_len} int64 scalar -> {@code logits} (batch, seq - prefix_len, vocab_size) and
 *       {@code last_hidden_state} (batch, seq - prefix_len, num_channels), the full-sequence forward pass without a
 *       kv cache
 * </ul>
 *
 * Image classifiers with Fourier or learned preprocessing and optical flow have a fixed image size (the config's), so
 * only their batch axis is dynamic; the conv-preprocessed image classifier takes any (batch, height, width).
 *
 * The graph computes what the module's forward pass computes (see {@link PerceiverGraphs} for how it saves work);
 * outputs equal the libtorch forward pass up to float rounding.
 */
public final class OnnxExport {
    /** The largest model file written by default: protobuf messages (single-file ONNX models) are under 2 GiB. */
    public static final long MAX_BYTES = OnnxGraph.MAX_BYTES;

    /** How an export is written to its file. */
    public enum Durability {
        /**
         * Atomically: into a temporary file in the target's folder, fsynced, renamed over the target and the folder
         * synced, so that the target holds the old or the complete new model even after a crash. For files that are
         * kept ({@code ./perceiver export-onnx}); what the overloads without a {@code Durability} do.
         */
        DURABLE,
        /**
         * Plainly: the file is created or truncated and written in place, with no fsync, rename or folder sync. For a
         * private scratch file that is read at once and then deleted (the export ONNX Runtime loads a session from);
         * a failed write or a crash leaves a partial file, which the caller deletes.
         */
        SCRATCH
    }

    private OnnxExport() {}

    /** Whether {@link #export} supports this model. */
    public static boolean supports(Module model) {
        return (model instanceof ImageClassifier c && imageAdapter(c.encoder().inputAdapter()))
                || model instanceof OpticalFlow
                || model instanceof MaskedLanguageModel
                || model instanceof TextClassifier
                || model instanceof CausalSequenceModel;
    }

    private static boolean imageAdapter(InputAdapter a) {
        return a instanceof ImageInputAdapter
                || a instanceof LearnedImageInputAdapter
                || a instanceof ConvImageInputAdapter;
    }

    /** The model classes {@link #export} supports, for messages. */
    public static String supported() {
        return "ImageClassifier (Fourier, learned and conv preprocessing), OpticalFlow, MaskedLanguageModel,"
                + " TextClassifier, CausalLanguageModel, SymbolicAudioModel";
    }

    /** Why {@code model} cannot be exported (one line), or null when it can. */
    public static String unsupportedReason(Module model) {
        if (supports(model)) {
            return null;
        }
        if (model instanceof MultimodalAutoencoder) {
            return "model class MultimodalAutoencoder cannot be exported to ONNX: its forward pass takes three"
                    + " modalities and per-call output points and has three outputs, which the exporter does not"
                    + " write yet (run it on libtorch); supported: " + supported();
        }
        return "model class " + model.getClass().getSimpleName() + " cannot be exported to ONNX; supported: "
                + supported();
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
        export(model, file, microsoftOps, MAX_BYTES);
    }

    /**
     * As {@link #export(Module, Path, boolean)}, refusing a model of more than {@code maxBytes}.
     *
     * @param maxBytes the largest file to write, in [1, {@link #MAX_BYTES}]
     * @throws IOException for a model over {@code maxBytes} (nothing is written) or a failed write
     * @throws IllegalArgumentException if the model class is not supported
     */
    public static void export(Module model, Path file, boolean microsoftOps, long maxBytes) throws IOException {
        export(model, file, microsoftOps, false, maxBytes);
    }

    /**
     * As {@link #export(Module, Path, boolean, long)}; with {@code int8} (needs {@code microsoftOps}) the linear
     * layers with at least 65,536 weights (every projection and MLP layer of the published models) are written as
     * {@code com.microsoft:DynamicQuantizeMatMul} with int8 weights, quantized per output channel (scale max|w| / 127,
     * zero point 0); ONNX Runtime quantizes their inputs to uint8 per call. Attention products, norms, embeddings
     * and the factored image cross-attention stay float32. Perceiver AR models are refused with int8.
     *
     * @throws IllegalArgumentException if the model class is not supported
     */
    public static void export(Module model, Path file, boolean microsoftOps, boolean int8, long maxBytes)
            throws IOException {
        export(model, file, microsoftOps, int8, maxBytes, Durability.DURABLE);
    }

    /**
     * As {@link #export(Module, Path, boolean, boolean, long)}, the file written as {@code durability} says.
     *
     * @throws IllegalArgumentException if the model class is not supported
     */
    public static void export(
            Module model, Path file, boolean microsoftOps, boolean int8, long maxBytes, Durability durability)
            throws IOException {
        if (!supports(model)) {
            throw new IllegalArgumentException(unsupportedReason(model));
        }
        if (int8 && model instanceof CausalSequenceModel) {
            throw new IllegalArgumentException("int8 export: model class "
                    + model.getClass().getSimpleName() + " is a Perceiver AR model, which has no int8 graph");
        }
        try (NDScope scope = new NDScope()) {
            OnnxGraph g = new OnnxGraph();
            GraphOps ops = new GraphOps(g, microsoftOps, int8);
            PerceiverGraphs blocks = new PerceiverGraphs(ops);
            if (model instanceof ImageClassifier ic) {
                image(g, ops, blocks, ic);
            } else if (model instanceof OpticalFlow flow) {
                flow(g, ops, flow);
            } else if (model instanceof CausalSequenceModel causal) {
                causal(g, ops, causal);
            } else {
                text(g, ops, blocks, (PerceiverIO) model, model instanceof MaskedLanguageModel);
            }
            g.save(file, "perceiver-jvm", model.getClass().getSimpleName(), Map.of(), maxBytes, durability);
            scope.suppressNotUsedWarning();
        }
    }

    /**
     * Writes the cached forward pass of a Perceiver AR model (causal LM, symbolic audio) to {@code file} atomically:
     * the graph of incremental decoding with a kv cache, as {@code forwardLogits(x, prefix_len, pad_mask, cache)}
     * computes it, one call for the prompt pass and one per generated token. Inputs:
     *
     * <ul>
     *   <li>{@code x} int64 (batch, new): the new tokens
     *   <li>{@code abs_pos}, {@code rot_pos} int64 (batch, new): their absolute and rotary positions
     *   <li>{@code pad_mask} bool (batch, cross_present): true = padding, over the cross-attention cache's positions
     *       and the new ones (cross_present = cross_cached + new)
     *   <li>{@code prefix_len} int64 scalar: how many of the new positions are prefix (the prompt pass: n -
     *       num_latents; a step: 0)
     *   <li>per attention layer ({@link #cachedLayerNames}: {@code cross}, then {@code self_i}) {@code
     *       past_<layer>_k} float32 (batch, heads, cached, qk_channels / heads) and {@code past_<layer>_v} (batch,
     *       heads, cached, v_channels / heads), keys stored rotated; the cross-attention caches every window
     *       position (cross_cached), the self-attention layers the latent positions (self_cached); 0 cached in the
     *       prompt pass
     * </ul>
     *
     * Outputs: {@code logits} float32 (batch, 1, vocab_size) of the last position and {@code present_<layer>_k/v},
     * the past with the new positions appended (cross_present and self_cached + new - prefix_len positions). How to
     * compute the positions and cut the caches to the window is in the graph's doc string ({@link #cachedUsage}); the
     * model's window sizes and the layer names are its metadata_props ({@link #cachedMetadata}).
     */
    public static void exportCached(CausalSequenceModel model, Path file) throws IOException {
        exportCached(model, file, MAX_BYTES);
    }

    /**
     * As {@link #exportCached(CausalSequenceModel, Path)}, refusing a model of more than {@code maxBytes}.
     *
     * @param maxBytes the largest file to write, in [1, {@link #MAX_BYTES}]
     * @throws IOException for a model over {@code maxBytes} (nothing is written) or a failed write
     */
    public static void exportCached(CausalSequenceModel model, Path file, long maxBytes) throws IOException {
        exportCached(model, file, maxBytes, Durability.DURABLE);
    }

    /**
     * As {@link #exportCached(CausalSequenceModel, Path, long)}, the file written as {@code durability} says.
     *
     * @param maxBytes the largest file to write, in [1, {@link #MAX_BYTES}]
     * @throws IOException for a model over {@code maxBytes} (nothing is written) or a failed write
     */
    public static void exportCached(CausalSequenceModel model, Path file, long maxBytes, Durability durability)
            throws IOException {
        try (NDScope scope = new NDScope()) {
            OnnxGraph g = new OnnxGraph();
            GraphOps ops = new GraphOps(g);
            String x = g.input("x", OnnxGraph.INT64, "batch", "new");
            String absPos = g.input("abs_pos", OnnxGraph.INT64, "batch", "new");
            String rotPos = g.input("rot_pos", OnnxGraph.INT64, "batch", "new");
            String padMask = g.input("pad_mask", OnnxGraph.BOOL, "batch", "cross_present");
            String prefixLen = g.input("prefix_len", OnnxGraph.INT64);
            g.document("x", "int64 (batch, new): the new tokens (the left-padded prompt, then one token per step)");
            g.document(
                    "abs_pos",
                    "int64 (batch, new): absolute positions, max(t - max(dropped, left_padding), 0) for the token at"
                            + " index t of the padded sequence");
            g.document(
                    "rot_pos",
                    "int64 (batch, new): rotary positions, max(t - left_padding, 0) for the token at index t");
            g.document(
                    "pad_mask",
                    "bool (batch, cross_cached + new): true = padding, for the cross-attention cache's positions and"
                            + " the new ones");
            g.document(
                    "prefix_len",
                    "int64 scalar: prefix positions among the new ones (prompt: n - num_latents; step: 0)");
            List<String> layers = cachedLayerNames(model);
            List<PerceiverArGraphs.Past> past = new ArrayList<>();
            List<MultiHeadAttention> attentions = cachedAttentions(model);
            long[][] headShapes = new long[layers.size()][];
            for (int i = 0; i < layers.size(); i++) {
                MultiHeadAttention m = attentions.get(i);
                long heads = m.numHeads();
                headShapes[i] = new long[] {heads, m.numQkChannels() / heads, m.numVChannels() / heads};
                String cached = i == 0 ? "cross_cached" : "self_cached";
                String[] kv = new String[4];
                for (int j = 0; j < 2; j++) {
                    kv[2 + j] = "present_" + layers.get(i) + (j == 0 ? "_k" : "_v");
                    String name = "past_" + layers.get(i) + (j == 0 ? "_k" : "_v");
                    kv[j] = g.input(name, OnnxGraph.FLOAT, "batch", heads, cached, headShapes[i][1 + j]);
                    g.document(
                            name,
                            "float32 (batch, " + heads + ", " + cached + ", " + headShapes[i][1 + j] + "): the "
                                    + (j == 0 ? "keys (rotated)" : "values") + " of layer " + layers.get(i)
                                    + ", the previous call's present_" + layers.get(i) + (j == 0 ? "_k" : "_v")
                                    + " cut to the window; 0 positions in the prompt pass");
                }
                past.add(new PerceiverArGraphs.Past(kv[0], kv[1], kv[2], kv[3]));
            }
            PerceiverArGraphs.CachedOutputs out = new PerceiverArGraphs(ops)
                    .cachedForward(
                            model.manager(),
                            model,
                            new PerceiverArGraphs.CachedInputs(
                                    x, absPos, rotPos, padMask, prefixLen, past.get(0), past.subList(1, past.size())));
            cachedOutputs(g, model, layers, headShapes, out);
            g.save(
                    file,
                    "perceiver-jvm",
                    model.getClass().getSimpleName() + " (cached forward pass, kv cache). " + cachedUsage(model),
                    cachedMetadata(model),
                    maxBytes,
                    durability);
            scope.suppressNotUsedWarning();
        }
    }

    /** The cached graph's outputs: logits, then present_<layer>_k/v with their doc strings. */
    private static void cachedOutputs(
            OnnxGraph g,
            CausalSequenceModel model,
            List<String> layers,
            long[][] headShapes,
            PerceiverArGraphs.CachedOutputs out) {
        long vocab = model.config().vocabSize();
        g.output(out.logits(), "logits", OnnxGraph.FLOAT, "batch", 1L, vocab);
        g.document("logits", "float32 (batch, 1, " + vocab + "): the next token's logits (of the last position)");
        for (int i = 0; i < layers.size(); i++) {
            String present = i == 0 ? "cross_present" : "self_present";
            for (int j = 0; j < 2; j++) {
                String name = "present_" + layers.get(i) + (j == 0 ? "_k" : "_v");
                g.output(
                        out.present().get(2 * i + j),
                        name,
                        OnnxGraph.FLOAT,
                        "batch",
                        headShapes[i][0],
                        present,
                        headShapes[i][1 + j]);
                g.document(
                        name,
                        "float32 (batch, " + headShapes[i][0] + ", " + present + ", " + headShapes[i][1 + j]
                                + "): past_" + layers.get(i) + (j == 0 ? "_k" : "_v") + " with the new "
                                + (i == 0 ? "positions" : "latent positions (new - prefix_len)") + " appended");
            }
        }
    }

    /** How to run the cached graph of {@code model} for generation (the graph's doc string). */
    static String cachedUsage(CausalSequenceModel model) {
        int maxSeqLen = model.config().maxSeqLen();
        int maxLatents = model.config().maxLatents();
        return "One session call for the prompt pass, then one per generated token. Prompt pass: x = the prompts"
                + " (batch, n), left-padded, 1 <= n <= max_seq_len (" + maxSeqLen + "); pad_mask (batch, n) true at"
                + " the padding; prefix_len = n - num_latents with 1 <= num_latents <= max_latents (" + maxLatents
                + ") and prefix_len <= max_prefix_len (" + model.config().maxPrefixLen() + "); abs_pos = rot_pos ="
                + " max(i - left_padding, 0) per row; every past_* with 0 positions. Each step: x = the chosen"
                + " tokens (batch, 1) and prefix_len = 0; past_* = the previous call's present_*, first cut to their"
                + " last max_seq_len - 1 (" + (maxSeqLen - 1) + ") positions (cross) and their last max_latents - 1 ("
                + (maxLatents - 1) + ") positions (self_i) where longer; pad_mask (batch, cross_cached + 1) = the"
                + " padding flags of the cached cross positions and the new one; with t the new token's index in"
                + " the whole padded sequence, dropped = t - cross_cached (the positions cut from the cross cache"
                + " so far) and left_padding the row's padding: rot_pos = max(t - left_padding, 0), abs_pos = max(t"
                + " - max(dropped, left_padding), 0). logits (batch, 1, vocab_size) are the next token's.";
    }

    /** The cached graph's metadata_props: the model class, its window sizes and the cache layers in order. */
    static Map<String, String> cachedMetadata(CausalSequenceModel model) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("perceiver.graph", "cached");
        metadata.put("perceiver.model_class", model.getClass().getSimpleName());
        metadata.put("perceiver.vocab_size", Integer.toString(model.config().vocabSize()));
        metadata.put("perceiver.max_seq_len", Integer.toString(model.config().maxSeqLen()));
        metadata.put("perceiver.max_latents", Integer.toString(model.config().maxLatents()));
        metadata.put("perceiver.max_prefix_len", Integer.toString(model.config().maxPrefixLen()));
        metadata.put("perceiver.cache_layers", String.join(",", cachedLayerNames(model)));
        return metadata;
    }

    /**
     * The attention layers of the cached forward pass in the order of its cache inputs and outputs: {@code cross},
     * then {@code self_0}, {@code self_1}, ...
     */
    public static List<MultiHeadAttention> cachedAttentions(CausalSequenceModel model) {
        List<MultiHeadAttention> attentions = new ArrayList<>();
        attentions.add(model.crossAttention().crossAttention().attention());
        for (var layer : model.selfAttention().layers()) {
            attentions.add(layer.selfAttention().module().attention());
        }
        return attentions;
    }

    /**
     * The names of the cached attention layers, in the order of {@link #cachedAttentions}: "cross", then "self_i".
     */
    public static List<String> cachedLayerNames(CausalSequenceModel model) {
        List<String> names = new ArrayList<>();
        names.add("cross");
        for (int i = 0; i < model.selfAttention().layers().size(); i++) {
            names.add("self_" + i);
        }
        return names;
    }

    private static String image(OnnxGraph g, GraphOps ops, PerceiverGraphs blocks, ImageClassifier model) {
        InputAdapter adapter = model.encoder().inputAdapter();
        int[] shape = model.config().encoder().imageShape();
        ImageGraphs images = new ImageGraphs(ops);
        PerceiverGraphs.KeyValueSource input;
        if (adapter instanceof ConvImageInputAdapter conv) {
            // any image size: the grid's Fourier features are computed in the graph
            String x = g.input("x", OnnxGraph.FLOAT, "batch", "height", "width", (long) shape[shape.length - 1]);
            input = blocks.plain(images.convAdapted(x, conv));
        } else {
            String x = g.input("x", OnnxGraph.FLOAT, dims("batch", shape));
            String p;
            NDArray e;
            if (adapter instanceof LearnedImageInputAdapter learned) {
                p = images.learned(x, learned);
                e = learned.projectedPositionEmbedding();
            } else {
                ImageInputAdapter pixels = (ImageInputAdapter) adapter;
                p = images.pixels(x, pixels);
                e = pixels.positionEncoding().encoding();
            }
            input = blocks.factored(
                    p, e, adapter.numInputChannels() - e.getShape().get(1));
        }
        String latents = blocks.encoder(model.encoder(), input, null);
        String logits = decode(g, blocks, model.decoder(), latents, null);
        int classes = ((ClassificationOutputAdapter) model.decoder().outputAdapter())
                .linear()
                .outFeatures();
        g.output(logits, "logits", OnnxGraph.FLOAT, "batch", (long) classes);
        return logits;
    }

    /** (first, *shape) as graph dimensions. */
    private static Object[] dims(String first, int... shape) {
        Object[] dims = new Object[shape.length + 1];
        dims[0] = first;
        for (int i = 0; i < shape.length; i++) {
            dims[i + 1] = (long) shape[i];
        }
        return dims;
    }

    /**
     * Optical flow: patch features x (b, 2, c, h, w) -> flow (b, h, w, 2). The decoder's queries are the adapted input
     * [linear(patches), position encoding] (b, h*w, C). Memory is bounded as in the module's forward pass: the
     * encoder's cross-attention attends in chunks of latents and the decoder decodes chunks of output
     * queries (each chunk's scores at most {@link dev.perceiver.model.blocks.MultiHeadAttention#MAX_SCORES_PER_CHUNK}
     * values per example, or the modules' query chunk sizes where set), each chunk through the output adapter, then
     * concatenated.
     */
    private static void flow(OnnxGraph g, GraphOps ops, OpticalFlow model) {
        PerceiverGraphs blocks = new PerceiverGraphs(ops, true);
        OpticalFlowInputAdapter adapter =
                (OpticalFlowInputAdapter) model.encoder().inputAdapter();
        int[] hw = adapter.imageShape();
        String x = g.input("x", OnnxGraph.FLOAT, dims("batch", 2, adapter.numPatchInputChannels(), hw[0], hw[1]));
        String p = new ImageGraphs(ops).flowPatches(x, adapter);
        NDArray e = adapter.positionEncoding().encoding();
        long c1 = adapter.numInputChannels() - e.getShape().get(1);
        String latents = blocks.encoder(model.encoder(), blocks.factored(p, e, c1), null);
        // chunks of the adapted input (b, rows, C): per-example channels, then the encoding expanded to the batch
        long positions = e.getShape().get(0);
        PerceiverDecoder decoder = model.decoder();
        long rows = PerceiverGraphs.rowsPerChunk(
                decoder.queryChunkSize(),
                decoder.crossAttention().crossAttention().attention().numHeads(),
                model.config().numLatents(),
                positions);
        String batch = g.op("Shape", List.of(p), Attribute.of("start", 0L), Attribute.of("end", 1L));
        String expandShape = g.op("Concat", List.of(batch, g.ints(1, 1)), Attribute.of("axis", 0L));
        List<String> queries = new ArrayList<>();
        for (long s = 0; s < positions; s += rows) {
            long end = Math.min(positions, s + rows);
            String pChunk = g.op("Slice", List.of(p, g.ints(s), g.ints(end), g.ints(1)));
            NDArray eChunk = e.get(s + ":" + end).expandDims(0);
            String shared = g.op("Expand", List.of(g.constant(eChunk), expandShape));
            queries.add(g.op("Concat", List.of(pChunk, shared), Attribute.of("axis", -1L)));
        }
        OpticalFlowOutputAdapter out = (OpticalFlowOutputAdapter) decoder.outputAdapter();
        Linear linear = out.linear();
        List<String> flows = new ArrayList<>();
        for (String h : blocks.decoderOfQueries(decoder, queries, latents)) {
            flows.add(g.op(
                    "Div",
                    List.of(
                            ops.linear(h, linear.weight().array(), GraphOps.bias(linear)),
                            g.scalar(out.rescaleFactor()))));
        }
        String y = flows.size() == 1 ? flows.get(0) : g.op("Concat", flows, Attribute.of("axis", 1L));
        String flow = g.op("Reshape", List.of(y, g.ints(0, hw[0], hw[1], 2)));
        g.output(flow, "flow", OnnxGraph.FLOAT, "batch", (long) hw[0], (long) hw[1], 2L);
    }

    /**
     * Perceiver AR (causal LM, symbolic audio): x int64 (batch, seq), pad_mask bool (batch, seq), prefix_len int64
     * scalar -> logits (batch, seq - prefix_len, vocab_size) and last_hidden_state (batch, seq - prefix_len, C).
     */
    private static void causal(OnnxGraph g, GraphOps ops, CausalSequenceModel model) {
        String x = g.input("x", OnnxGraph.INT64, "batch", "seq");
        String padMask = g.input("pad_mask", OnnxGraph.BOOL, "batch", "seq");
        String prefixLen = g.input("prefix_len", OnnxGraph.INT64);
        PerceiverArGraphs.Outputs out =
                new PerceiverArGraphs(ops).forward(model.manager(), model, x, padMask, prefixLen);
        g.output(out.logits(), "logits", OnnxGraph.FLOAT, "batch", "latents", (long)
                model.config().vocabSize());
        g.output(out.hidden(), "last_hidden_state", OnnxGraph.FLOAT, "batch", "latents", (long)
                model.config().numChannels());
    }

    private static String text(OnnxGraph g, GraphOps ops, PerceiverGraphs blocks, PerceiverIO model, boolean mlm) {
        TokenInputAdapter adapter = (TokenInputAdapter) model.encoder().inputAdapter();
        String x = g.input("x", OnnxGraph.INT64, "batch", "seq");
        String padMask = g.input("pad_mask", OnnxGraph.BOOL, "batch", "seq");
        String seqLen = g.op("Shape", List.of(x), Attribute.of("start", 1L), Attribute.of("end", 2L));
        NDArray tokens = adapter.txtEmbedding().weight().array();
        NDArray positions = adapter.posEmbedding() == null
                ? null
                : adapter.posEmbedding().weight().array();
        String emb = g.op("Gather", List.of(g.constant(tokens), x));
        if (positions != null) {
            emb = ops.add(emb, ops.prefix(g.constant(positions), seqLen, 0));
        }
        String bias = g.op("Where", List.of(padMask, g.scalar(-Float.MAX_VALUE), g.scalar(0f)));
        bias = g.op("Unsqueeze", List.of(bias, g.ints(1, 2))); // (b, 1, 1, n)
        // keys and values gathered from projected embedding tables instead of computed by (n, C) x (C, F) products,
        // unless the tables would hold more than 4x the rows of the projection weights they replace (a large
        // vocabulary)
        long tableRows = tokens.getShape().get(0)
                + (positions == null ? 0 : positions.getShape().get(0));
        PerceiverGraphs.KeyValueSource input =
                tableRows <= 4 * tokens.getShape().get(1)
                        ? blocks.embedded(x, emb, new PerceiverGraphs.TokenTables(tokens, positions), seqLen)
                        : blocks.plain(emb);
        String latents = blocks.encoder(model.encoder(), input, bias);
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

    /**
     * The decoder and its output adapter; the MLM's queries are cut to the input's length {@code seqLen} (its output
     * layer folded into the decoder's MLP, see {@link PerceiverGraphs#maskedDecoderLogits}).
     */
    private static String decode(
            OnnxGraph g, PerceiverGraphs blocks, PerceiverDecoder decoder, String latents, String seqLen) {
        NDArray queries = ((TrainableQueryProvider) decoder.queryProvider()).query(null);
        OutputAdapter out = decoder.outputAdapter();
        boolean tied = out instanceof TiedTokenOutputAdapter;
        NDArray w;
        NDArray bias;
        if (out instanceof TiedTokenOutputAdapter t) {
            w = t.embedding().weight().array();
            bias = t.bias() == null ? null : t.bias().array();
        } else {
            Linear linear =
                    out instanceof ClassificationOutputAdapter c ? c.linear() : ((TokenOutputAdapter) out).linear();
            w = linear.weight().array();
            bias = GraphOps.bias(linear);
        }
        if (seqLen != null) {
            return blocks.maskedDecoderLogits(decoder, queries, latents, seqLen, w, bias);
        }
        String y = new GraphOps(g).linear(blocks.decoder(decoder, queries, latents), w, bias);
        return queries.getShape().get(1) == 1 && !tied ? g.op("Squeeze", List.of(y, g.ints(1))) : y;
    }
}
