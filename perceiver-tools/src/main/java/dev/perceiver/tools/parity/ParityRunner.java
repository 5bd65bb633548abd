package dev.perceiver.tools.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationOutput;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.inference.engine.CausalDecoderRunner;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.inference.tokenizer.PaddedBatch;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.blocks.AttentionSpec;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.model.position.FourierPositionEncoding;
import dev.perceiver.model.position.FrequencyPositionEncoding;
import dev.perceiver.model.position.Positions;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.OpticalFlow;
import dev.perceiver.tasks.vision.VisionModelKinds;
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
 * exactly; gradients {@code <= 1e-3 * max|b|}). A {@code NAME.expected.safetensors} whose metadata names a
 * {@code folder} is a model-folder case, run by {@link FolderParity} (the folder loaded as {@code --model} loads it).
 */
public final class ParityRunner {
    /** Evaluates one fixture; returns the compared outputs. */
    @FunctionalInterface
    public interface Evaluator {
        List<CaseResult.Check> evaluate(Fixture f) throws Exception;
    }

    private final Map<String, Evaluator> evaluators = new LinkedHashMap<>();

    private final Engine engine;

    /** A runner that knows every forward case, on libtorch; more can be added with {@link #register}. */
    public ParityRunner() {
        this(Engine.LIBTORCH);
    }

    /**
     * A runner whose task-model forward passes (image and text classifiers, masked LMs, optical flow, the
     * full-sequence forward pass of causal models, model folders of these) and the cached decoding of the generation
     * case run on {@code engine}; the other cases (attention, positions, training, multimodal folders) always run on
     * libtorch.
     */
    public ParityRunner(Engine engine) {
        this.engine = engine;
        register("mha_cross", ParityRunner::mha);
        register("mha_causal_rotary", ParityRunner::mha);
        register("positions", ParityRunner::positions);
        register("image_classifier", modelCase(VisionModelKinds.IMAGE_CLASSIFIER, this::imageClassifier));
        register("text_mlm", modelCase(TextModelKinds.MASKED_LANGUAGE_MODEL, this::textLogits));
        register("text_classifier", modelCase(TextModelKinds.TEXT_CLASSIFIER, this::textLogits));
        register("clm_forward", modelCase(TextModelKinds.CAUSAL_LANGUAGE_MODEL, this::clmForward));
        register("clm_generate", modelCase(TextModelKinds.CAUSAL_LANGUAGE_MODEL, this::clmGenerate));
        register("optical_flow", modelCase(VisionModelKinds.OPTICAL_FLOW, this::opticalFlow));
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

    /**
     * Runs one fixture file: a model-folder case (metadata with a {@code folder}) through {@link FolderParity}, any
     * other by the evaluator registered for its name.
     */
    public CaseResult run(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.safetensors$", "");
        if (name.endsWith(FolderParity.EXPECTED)) {
            CaseResult folderCase = runFolderCase(file);
            if (folderCase != null) {
                return folderCase;
            }
        }
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

    /** A model-folder case, or null when the file's metadata names no folder. */
    private CaseResult runFolderCase(Path file) {
        String name = FolderParity.caseName(file.getFileName().toString());
        try (NDManager manager = NDManager.newBaseManager()) {
            Fixture f = new Fixture(file, manager);
            if (!f.isFolderCase()) {
                return null;
            }
            java.util.Optional<String> skip = FolderParity.skipReason(f);
            if (skip.isPresent()) {
                return new CaseResult(name, CaseResult.Status.SKIPPED, List.of(), skip.get());
            }
            List<CaseResult.Check> checks = FolderParity.evaluate(f, engine);
            boolean ok = !checks.isEmpty() && checks.stream().allMatch(CaseResult.Check::passed);
            return new CaseResult(name, ok ? CaseResult.Status.PASSED : CaseResult.Status.FAILED, checks, null);
        } catch (Exception | AssertionError e) {
            return new CaseResult(
                    name, CaseResult.Status.ERROR, List.of(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- comparisons

    /** Model-folder check: {@code max|a-b| <= atol + rtol * max|b|}; a shape mismatch fails. */
    public static CaseResult.Check compare(
            String output, NDArray actual, TensorData expected, double atol, double rtol) {
        double maxB = 0;
        for (float v : expected.toFloatArray()) {
            maxB = Math.max(maxB, Math.abs(v));
        }
        return new CaseResult.Check(output, maxAbsDiff(actual, expected), atol + rtol * maxB);
    }

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

    /**
     * Config of the mha cases: the reference {@code MultiHeadAttention} arguments (null channel counts take the
     * reference's defaults; biases default to true). Jackson's snake_case would write {@code numQInputChannels} as
     * {@code num_qinput_channels} (two capitals in a row), hence the explicit names.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record AttentionCase(
            int numHeads,
            @JsonProperty("num_q_input_channels") int numQInputChannels,
            int numKvInputChannels,
            Integer numQkChannels,
            @JsonProperty("num_v_channels") Integer numVChannels,
            Integer numOutputChannels,
            Integer maxHeadsParallel,
            Boolean causalAttention,
            Boolean qkvBias,
            Boolean outBias) {}

    private static List<CaseResult.Check> mha(Fixture f) {
        AttentionCase c = f.config(AttentionCase.class);
        MultiHeadAttention mha = new MultiHeadAttention(
                f.manager(),
                AttentionSpec.builder()
                        .numHeads(c.numHeads())
                        .numQInputChannels(c.numQInputChannels())
                        .numKvInputChannels(c.numKvInputChannels())
                        .numQkChannels(c.numQkChannels())
                        .numVChannels(c.numVChannels())
                        .numOutputChannels(c.numOutputChannels())
                        .maxHeadsParallel(c.maxHeadsParallel())
                        .causalAttention(Boolean.TRUE.equals(c.causalAttention()))
                        .qkvBias(!Boolean.FALSE.equals(c.qkvBias()))
                        .outBias(!Boolean.FALSE.equals(c.outBias()))
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

    /** Arguments of the positions case. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record PositionsCase(int[] inputShape, int numFrequencyBands, int dim) {}

    private static List<CaseResult.Check> positions(Fixture f) {
        PositionsCase c = f.meta(PositionsCase.class);
        NDManager nd = f.manager();
        List<CaseResult.Check> checks = new ArrayList<>();
        FourierPositionEncoding fourier = new FourierPositionEncoding(nd, c.inputShape(), c.numFrequencyBands());
        checks.add(compare("fourier", fourier.encoding(), f.tensor("output.fourier")));
        TensorData expectedPos = f.tensor("output.positions");
        NDArray shift = f.input("shift");
        NDArray pos =
                Positions.positions(nd, expectedPos.shape()[0], expectedPos.shape()[1], shift);
        checks.add(compareExact("positions", pos.toLongArray(), pos.getShape().getShape(), expectedPos));
        FrequencyPositionEncoding frq = new FrequencyPositionEncoding(nd, c.dim());
        NDArray enc = frq.forward(pos);
        checks.add(compare("frq_pos_enc", enc, f.tensor("output.frq_pos_enc")));
        NDArray t = f.input("t");
        checks.add(compare(
                "rotated_right", new RotaryPositionEmbedding(enc, true).rotate(t), f.tensor("output.rotated_right")));
        checks.add(compare(
                "rotated_left", new RotaryPositionEmbedding(enc, false).rotate(t), f.tensor("output.rotated_left")));
        return checks;
    }

    /** Checks of one model case, given the model built from the fixture's config with the fixture's parameters. */
    @FunctionalInterface
    interface ModelCheck<M extends Module> {
        List<CaseResult.Check> check(M model, Fixture f) throws Exception;
    }

    /**
     * A case of a task model: the model is built through the model registry's kind (config reader and factory) from
     * the fixture's config and loaded strictly with its parameters, then checked.
     */
    static <M extends Module> Evaluator modelCase(ModelKind<?, M> kind, ModelCheck<M> check) {
        return f -> {
            M model = kind.createFromJson(f.manager(), f.config());
            f.loadParams(model);
            return check.check(model, f);
        };
    }

    private List<CaseResult.Check> imageClassifier(ImageClassifier model, Fixture f) {
        return List.of(
                compare("logits", EngineForward.forward(engine, model, f.input("x"), null), f.tensor("output.logits")));
    }

    private List<CaseResult.Check> textLogits(PerceiverIO model, Fixture f) {
        NDArray logits =
                EngineForward.forward(engine, model, f.input("x"), f.hasInput("pad_mask") ? f.input("pad_mask") : null);
        return List.of(compare("logits", logits, f.tensor("output.logits")));
    }

    /** Arguments of the clm_forward case. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ForwardCase(int prefixLen) {}

    private List<CaseResult.Check> clmForward(CausalLanguageModel model, Fixture f) {
        ForwardCase c = f.meta(ForwardCase.class);
        CausalSequenceModel.LmOutput out = EngineForward.forwardCausal(
                engine, model, f.input("x"), c.prefixLen(), f.hasInput("pad_mask") ? f.input("pad_mask") : null);
        List<CaseResult.Check> checks = new ArrayList<>();
        checks.add(compare("logits", out.logits(), f.tensor("output.logits")));
        if (f.tensors().containsKey("output.last_hidden_state")) {
            checks.add(compare("last_hidden_state", out.lastHiddenState(), f.tensor("output.last_hidden_state")));
        }
        return checks;
    }

    /** Arguments of the clm_generate case. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record GenerateCase(int maxNewTokens, int numLatents) {}

    /**
     * Greedy generation with the kv cache from the fixture's left-padded prompts: the generated sequences must match
     * exactly, the logits of every step within the forward tolerance.
     */
    private List<CaseResult.Check> clmGenerate(CausalLanguageModel model, Fixture f) {
        GenerateCase c = f.meta(GenerateCase.class);
        TensorData prompt = f.tensor("input.prompt");
        int b = (int) prompt.shape()[0];
        int n = (int) prompt.shape()[1];
        long[] ids = prompt.toLongArray();
        long[] attention = f.tensor("input.attention_mask").toLongArray();
        long[][] rows = new long[b][n];
        boolean[][] padMask = new boolean[b][n];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < n; i++) {
                rows[r][i] = ids[r * n + i];
                padMask[r][i] = attention[r * n + i] == 0;
            }
        }
        GenerationConfig config = GenerationConfig.greedy(c.maxNewTokens()).withNumLatents(c.numLatents());
        GenerationOutput out;
        try (CausalDecoderRunner decoder = ModelRunners.openDecoder(model, engine, 1)) {
            out = new CausalGenerator(model, null, decoder)
                    .generate(
                            new PromptBatch(PaddedBatch.fromPadMask(rows, padMask, PaddedBatch.Side.LEFT)),
                            config,
                            true,
                            null);
        }
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
        NDArray stepLogits = Tensors.owned(f.manager(), logits, new ai.djl.ndarray.types.Shape(b, steps, vocab));
        return List.of(
                compareExact("sequences", flat, new long[] {b, total}, f.tensor("output.sequences")),
                compare("step_logits", stepLogits, f.tensor("output.step_logits")));
    }

    private List<CaseResult.Check> opticalFlow(OpticalFlow model, Fixture f) {
        return List.of(
                compare("flow", EngineForward.forward(engine, model, f.input("x"), null), f.tensor("output.flow")));
    }
}
