package dev.perceiver.tools.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationOutput;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.blocks.AttentionSpec;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.OpticalFlowDecoderConfig;
import dev.perceiver.model.config.OpticalFlowEncoderConfig;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.model.position.FourierPositionEncoding;
import dev.perceiver.model.position.FrequencyPositionEncoding;
import dev.perceiver.model.position.Positions;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.OpticalFlow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Evaluates reference fixtures: each file is dispatched by its name (e.g. {@code image_classifier_shared} ->
 * image classifier), the model is built from the config in its metadata, loaded with its parameters, run on its
 * inputs and compared with its expected outputs ({@code max|a-b| <= 1e-4 * max(1, max|b|)}; generated tokens
 * exactly; gradients {@code <= 1e-3 * max|b|}).
 */
public final class ParityRunner {
    /** Evaluates one fixture; returns the compared outputs. */
    @FunctionalInterface
    public interface Evaluator {
        List<CaseResult.Check> evaluate(Fixture f) throws Exception;
    }

    private final Map<String, Evaluator> evaluators = new LinkedHashMap<>();

    /** A runner that knows every forward case; more can be added with {@link #register}. */
    public ParityRunner() {
        register("mha_cross", ParityRunner::mha);
        register("mha_causal_rotary", ParityRunner::mha);
        register("positions", ParityRunner::positions);
        register("image_classifier", ParityRunner::imageClassifier);
        register("text_mlm", ParityRunner::maskedLanguageModel);
        register("text_classifier", ParityRunner::textClassifier);
        register("clm_forward", ParityRunner::clmForward);
        register("clm_generate", ParityRunner::clmGenerate);
        register("optical_flow", ParityRunner::opticalFlow);
        register("train_step", TrainStepParity::evaluate);
    }

    /** Registers an evaluator for files whose name (without extension) starts with {@code prefix}. */
    public ParityRunner register(String prefix, Evaluator evaluator) {
        evaluators.put(prefix, evaluator);
        return this;
    }

    /** Runs every {@code *.safetensors} file of {@code dir}, sorted by name. */
    public List<CaseResult> runDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("fixture directory " + dir + " does not exist");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .sorted()
                    .toList();
        }
        List<CaseResult> out = new ArrayList<>();
        for (Path p : files) {
            out.add(run(p));
        }
        return out;
    }

    /** Runs one fixture file. */
    public CaseResult run(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.safetensors$", "");
        Evaluator ev = null;
        String best = "";
        for (Map.Entry<String, Evaluator> e : evaluators.entrySet()) {
            if (name.startsWith(e.getKey()) && e.getKey().length() > best.length()) {
                best = e.getKey();
                ev = e.getValue();
            }
        }
        if (ev == null) {
            return new CaseResult(name, CaseResult.Status.UNSUPPORTED, List.of(), "(not yet supported)");
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Fixture f = new Fixture(file, manager);
            List<CaseResult.Check> checks = ev.evaluate(f);
            boolean ok = !checks.isEmpty() && checks.stream().allMatch(CaseResult.Check::passed);
            return new CaseResult(name, ok ? CaseResult.Status.PASSED : CaseResult.Status.FAILED, checks, null);
        } catch (Exception | AssertionError e) {
            return new CaseResult(
                    name, CaseResult.Status.ERROR, List.of(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- comparisons

    /** Forward-output check: {@code max|a-b| <= 1e-4 * max(1, max|b|)}; a shape mismatch fails. */
    public static CaseResult.Check compare(String output, NDArray actual, TensorData expected) {
        float[] b = expected.toFloatArray();
        double maxB = 0;
        for (float v : b) {
            maxB = Math.max(maxB, Math.abs(v));
        }
        return new CaseResult.Check(output, maxAbsDiff(actual, expected), 1e-4 * Math.max(1.0, maxB));
    }

    /** Largest absolute difference, or +infinity on a shape mismatch. */
    public static double maxAbsDiff(NDArray actual, TensorData expected) {
        if (!Arrays.equals(actual.getShape().getShape(), expected.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        float[] b = expected.toFloatArray();
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    /** Exact check of integer outputs: the error is the number of differing elements. */
    public static CaseResult.Check compareExact(String output, long[] actual, long[] actualShape, TensorData expected) {
        long[] b = expected.toLongArray();
        if (!Arrays.equals(actualShape, expected.shape())) {
            return new CaseResult.Check(output, Double.POSITIVE_INFINITY, 0);
        }
        int diff = 0;
        for (int i = 0; i < b.length; i++) {
            if (actual[i] != b[i]) {
                diff++;
            }
        }
        return new CaseResult.Check(output, diff, 0);
    }

    // ---------------------------------------------------------------- cases

    private static List<CaseResult.Check> mha(Fixture f) {
        JsonNode c = f.config();
        MultiHeadAttention mha = new MultiHeadAttention(
                f.manager(),
                AttentionSpec.builder()
                        .numHeads(c.get("num_heads").asInt())
                        .numQInputChannels(c.get("num_q_input_channels").asInt())
                        .numKvInputChannels(c.get("num_kv_input_channels").asInt())
                        .numQkChannels(ConfigJson.optionalInt(c, "num_qk_channels"))
                        .numVChannels(ConfigJson.optionalInt(c, "num_v_channels"))
                        .numOutputChannels(ConfigJson.optionalInt(c, "num_output_channels"))
                        .maxHeadsParallel(ConfigJson.optionalInt(c, "max_heads_parallel"))
                        .causalAttention(c.path("causal_attention").asBoolean(false))
                        .qkvBias(c.path("qkv_bias").asBoolean(true))
                        .outBias(c.path("out_bias").asBoolean(true))
                        .build());
        f.loadParams(mha);
        NDArray pad = f.hasInput("pad_mask") ? f.input("pad_mask") : null;
        RotaryPositionEmbedding rot = null;
        if (f.hasInput("frq_pos_enc")) {
            rot = new RotaryPositionEmbedding(f.input("frq_pos_enc"), true);
        }
        NDArray out = mha.forward(f.input("x_q"), f.input("x_kv"), pad, rot, rot, null)
                .lastHiddenState();
        return List.of(compare("last_hidden_state", out, f.tensor("output.last_hidden_state")));
    }

    private static List<CaseResult.Check> positions(Fixture f) {
        JsonNode m = f.meta();
        NDManager nd = f.manager();
        List<CaseResult.Check> checks = new ArrayList<>();
        int[] shape = ConfigJson.intArray(m, "input_shape", null);
        FourierPositionEncoding fourier = new FourierPositionEncoding(
                nd, shape, m.get("num_frequency_bands").asInt());
        checks.add(compare("fourier", fourier.encoding(), f.tensor("output.fourier")));
        TensorData expectedPos = f.tensor("output.positions");
        NDArray shift = f.input("shift");
        NDArray pos =
                Positions.positions(nd, expectedPos.shape()[0], expectedPos.shape()[1], shift);
        checks.add(compareExact("positions", pos.toLongArray(), pos.getShape().getShape(), expectedPos));
        FrequencyPositionEncoding frq =
                new FrequencyPositionEncoding(nd, m.get("dim").asInt());
        NDArray enc = frq.forward(pos);
        checks.add(compare("frq_pos_enc", enc, f.tensor("output.frq_pos_enc")));
        NDArray t = f.input("t");
        checks.add(compare(
                "rotated_right", new RotaryPositionEmbedding(enc, true).rotate(t), f.tensor("output.rotated_right")));
        checks.add(compare(
                "rotated_left", new RotaryPositionEmbedding(enc, false).rotate(t), f.tensor("output.rotated_left")));
        return checks;
    }

    private static List<CaseResult.Check> imageClassifier(Fixture f) {
        ImageClassifier model = new ImageClassifier(
                f.manager(),
                PerceiverIOConfig.fromJson(
                        f.config(), ImageEncoderConfig::fromJson, ClassificationDecoderConfig::fromJson));
        f.loadParams(model);
        return List.of(compare("logits", model.forward(f.input("x")), f.tensor("output.logits")));
    }

    private static List<CaseResult.Check> maskedLanguageModel(Fixture f) {
        MaskedLanguageModel model = new MaskedLanguageModel(
                f.manager(),
                PerceiverIOConfig.fromJson(f.config(), TextEncoderConfig::fromJson, TextDecoderConfig::fromJson));
        f.loadParams(model);
        NDArray logits = model.forward(f.input("x"), f.hasInput("pad_mask") ? f.input("pad_mask") : null);
        return List.of(compare("logits", logits, f.tensor("output.logits")));
    }

    private static List<CaseResult.Check> textClassifier(Fixture f) {
        TextClassifier model = new TextClassifier(
                f.manager(),
                PerceiverIOConfig.fromJson(
                        f.config(), TextEncoderConfig::fromJson, ClassificationDecoderConfig::fromJson));
        f.loadParams(model);
        NDArray logits = model.forward(f.input("x"), f.hasInput("pad_mask") ? f.input("pad_mask") : null);
        return List.of(compare("logits", logits, f.tensor("output.logits")));
    }

    private static List<CaseResult.Check> clmForward(Fixture f) {
        CausalLanguageModel model = new CausalLanguageModel(f.manager(), PerceiverARConfig.fromJson(f.config()));
        f.loadParams(model);
        CausalSequenceModel.LmOutput out = model.forwardLogits(
                f.input("x"),
                f.meta().get("prefix_len").asInt(),
                f.hasInput("pad_mask") ? f.input("pad_mask") : null,
                null);
        List<CaseResult.Check> checks = new ArrayList<>();
        checks.add(compare("logits", out.logits(), f.tensor("output.logits")));
        if (f.tensors().containsKey("output.last_hidden_state")) {
            checks.add(compare("last_hidden_state", out.lastHiddenState(), f.tensor("output.last_hidden_state")));
        }
        return checks;
    }

    /**
     * Greedy generation with the kv cache from the fixture's left-padded prompts: the generated sequences must match
     * exactly, the logits of every step within the forward tolerance.
     */
    private static List<CaseResult.Check> clmGenerate(Fixture f) {
        CausalLanguageModel model = new CausalLanguageModel(f.manager(), PerceiverARConfig.fromJson(f.config()));
        f.loadParams(model);
        TensorData prompt = f.tensor("input.prompt");
        int b = (int) prompt.shape()[0];
        int n = (int) prompt.shape()[1];
        long[] ids = prompt.toLongArray();
        long[] attention = f.tensor("input.attention_mask").toLongArray();
        long[][] rows = new long[b][n];
        boolean[][] mask = new boolean[b][n];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < n; i++) {
                rows[r][i] = ids[r * n + i];
                mask[r][i] = attention[r * n + i] != 0;
            }
        }
        GenerationConfig config = GenerationConfig.greedy(
                        f.meta().get("max_new_tokens").asInt())
                .withNumLatents(f.meta().get("num_latents").asInt());
        GenerationOutput out = new CausalGenerator(model).generate(new PromptBatch(rows, mask), config, true, null);
        long[][] seq = out.sequences();
        int total = seq[0].length;
        long[] flat = new long[b * total];
        for (int r = 0; r < b; r++) {
            System.arraycopy(seq[r], 0, flat, r * total, total);
        }
        int steps = out.steps();
        int vocab = model.config().vocabSize();
        float[] logits = new float[b * steps * vocab];
        for (int r = 0; r < b; r++) {
            for (int s = 0; s < steps; s++) {
                System.arraycopy(out.stepLogits()[r][s], 0, logits, (r * steps + s) * vocab, vocab);
            }
        }
        NDArray stepLogits = f.manager().create(logits, new ai.djl.ndarray.types.Shape(b, steps, vocab));
        return List.of(
                compareExact("sequences", flat, new long[] {b, total}, f.tensor("output.sequences")),
                compare("step_logits", stepLogits, f.tensor("output.step_logits")));
    }

    private static List<CaseResult.Check> opticalFlow(Fixture f) {
        OpticalFlow model = new OpticalFlow(
                f.manager(),
                PerceiverIOConfig.fromJson(
                        f.config(), OpticalFlowEncoderConfig::fromJson, OpticalFlowDecoderConfig::fromJson));
        f.loadParams(model);
        return List.of(compare("flow", model.forward(f.input("x")), f.tensor("output.flow")));
    }
}
