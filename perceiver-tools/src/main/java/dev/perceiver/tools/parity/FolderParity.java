package dev.perceiver.tools.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.audio.SymbolicAudioPipeline;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import dev.perceiver.inference.vision.OpticalFlowPipeline;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.audio.AudioModelKinds;
import dev.perceiver.tasks.multimodal.MultimodalAutoencoder;
import dev.perceiver.tasks.multimodal.MultimodalModelKinds;
import dev.perceiver.tasks.multimodal.MultimodalOutput;
import dev.perceiver.tasks.multimodal.OutputPoints;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Model-folder cases (a fixture whose metadata names a {@code folder}, see {@link FolderCase}): the folder is loaded
 * through the code path of the command line's {@code --model} for its kind (the task's {@code load}: model, tokenizer
 * or processor files), the model is called on the fixture's {@code input.*} tensors bound to arguments as the
 * metadata's {@code inputs} says, and every {@code output.*} tensor is compared with
 * {@code max|a-b| <= atol + rtol * max|b|}. {@code output.logits} is the model's output ({@code .audio},
 * {@code .image}, {@code .label} of the multimodal autoencoder, whose arguments are the dicts {@code inputs} and
 * {@code subsampled_output_points}),
 * {@code output.last_hidden_state} the latents after the encoder. Krasserm-layout cases name the reference's forward
 * arguments ({@code x} or {@code x_masked}, {@code pad_mask}); Hugging Face layout cases name transformers'
 * ({@code inputs}, {@code attention_mask} with 1 = keep; images channels-first), converted here. A folder whose kind
 * the model registry does not know is skipped with the reason when it is in the Hugging Face {@code transformers}
 * layout (not supported yet), an error otherwise.
 */
final class FolderParity {
    /** Suffix of a model-folder fixture's file name before {@code .safetensors}. */
    static final String EXPECTED = ".expected";

    /** The model of a loaded folder and what to close when done (a tokenizer, a pipeline), or null. */
    private record LoadedFolder(Module model, AutoCloseable resources) {}

    /** Loads a folder as the command line does (parameters in the manager unless a pipeline owns them). */
    @FunctionalInterface
    private interface Loader {
        LoadedFolder load(Path dir, NDManager manager) throws IOException;
    }

    /** Calls a model on bound arguments: argument name -> array; returns output name -> array. */
    @FunctionalInterface
    private interface Call {
        Map<String, NDArray> call(Module model, Map<String, NDArray> args, FolderCase c, Engine engine);
    }

    /**
     * How one kind is loaded and called.
     *
     * @param arguments the reference's names of the forward arguments the call takes -> the name the call reads
     *     ({@code x} for the main input, whatever the reference calls it, e.g. {@code x_masked}); any other name in
     *     the fixture's {@code inputs} is an error
     */
    private record Task(Loader loader, Map<String, String> arguments, Call call) {}

    /** Krasserm-layout cases by the folder's kind: the reference's forward arguments. */
    private static final Map<ModelKind<?, ?>, Task> TASKS = tasks();
    /**
     * Hugging Face layout cases by the kind the folder loads as ({@link ModelKind#savedAs}): transformers' forward
     * arguments ({@code inputs}, {@code attention_mask} 1 = keep), converted to ours.
     */
    private static final Map<ModelKind<?, ?>, Task> HF_TASKS = huggingFaceTasks();

    private FolderParity() {}

    private static Map<ModelKind<?, ?>, Task> tasks() {
        Map<ModelKind<?, ?>, Task> t = new LinkedHashMap<>();
        Map<String, String> text = Map.of("x", "x", "pad_mask", "pad_mask");
        // the reference's MaskedLanguageModel.forward(x_masked, pad_mask)
        Map<String, String> mlm = Map.of("x", "x", "x_masked", "x", "pad_mask", "pad_mask");
        t.put(
                TextModelKinds.MASKED_LANGUAGE_MODEL,
                new Task(
                        textLoader(TextModelKinds.MASKED_LANGUAGE_MODEL, "fill-mask"), mlm, FolderParity::perceiverIo));
        t.put(
                TextModelKinds.TEXT_CLASSIFIER,
                new Task(textLoader(TextModelKinds.TEXT_CLASSIFIER, "classify-text"), text, FolderParity::perceiverIo));
        t.put(
                TextModelKinds.CAUSAL_LANGUAGE_MODEL,
                new Task(textLoader(TextModelKinds.CAUSAL_LANGUAGE_MODEL, "generate"), text, FolderParity::causal));
        t.put(
                AudioModelKinds.SYMBOLIC_AUDIO_MODEL,
                new Task(
                        (dir, manager) -> {
                            // generate-audio: the model, then the pipeline (which checks the MIDI vocabulary)
                            SymbolicAudioPipeline p =
                                    new SymbolicAudioPipeline(SymbolicAudioPipeline.loadModel(dir, manager));
                            return new LoadedFolder(p.model(), null);
                        },
                        Map.of("x", "x"),
                        FolderParity::causal));
        t.put(
                VisionModelKinds.IMAGE_CLASSIFIER,
                new Task(
                        (dir, manager) -> {
                            ImageClassificationPipeline p = ImageClassificationPipeline.load(dir, 1);
                            return new LoadedFolder(p.model(), p);
                        },
                        Map.of("x", "x"),
                        FolderParity::perceiverIo));
        t.put(
                VisionModelKinds.OPTICAL_FLOW,
                new Task(
                        (dir, manager) -> {
                            // min_overlap 0 fits every tile size; tiling plays no part in the model's forward pass
                            OpticalFlowPipeline p = OpticalFlowPipeline.load(dir, 0, 1);
                            return new LoadedFolder(p.model(), p);
                        },
                        Map.of("x", "x"),
                        FolderParity::perceiverIo));
        return t;
    }

    private static Map<ModelKind<?, ?>, Task> huggingFaceTasks() {
        Map<ModelKind<?, ?>, Task> t = new LinkedHashMap<>();
        Map<String, String> text = Map.of("inputs", "x", "input_ids", "x", "attention_mask", "attention_mask");
        t.put(
                TextModelKinds.MASKED_LANGUAGE_MODEL,
                new Task(TASKS.get(TextModelKinds.MASKED_LANGUAGE_MODEL).loader(), text, FolderParity::hfMaskedLm));
        t.put(
                TextModelKinds.TEXT_CLASSIFIER,
                new Task(
                        TASKS.get(TextModelKinds.TEXT_CLASSIFIER).loader(),
                        text,
                        (model, args, c, e) -> perceiverIo(model, hfTextArgs(args, 0), c, e)));
        t.put(
                VisionModelKinds.IMAGE_CLASSIFIER,
                new Task(
                        TASKS.get(VisionModelKinds.IMAGE_CLASSIFIER).loader(),
                        Map.of("inputs", "x", "pixel_values", "x"),
                        // transformers' images are channels-first (b, c, h, w), ours channels-last
                        (model, args, c, e) ->
                                perceiverIo(model, Map.of("x", args.get("x").transpose(0, 2, 3, 1)), c, e)));
        t.put(
                VisionModelKinds.OPTICAL_FLOW,
                new Task(
                        TASKS.get(VisionModelKinds.OPTICAL_FLOW).loader(),
                        Map.of("inputs", "x"),
                        FolderParity::perceiverIo));
        t.put(
                MultimodalModelKinds.MULTIMODAL_AUTOENCODER,
                new Task(
                        (dir, manager) ->
                                new LoadedFolder(ModelFolder.load(dir, manager).model(), null),
                        Map.of(
                                "inputs.image", "image",
                                "inputs.audio", "audio",
                                "inputs.label", "label",
                                "subsampled_output_points.image", "image_points",
                                "subsampled_output_points.audio", "audio_points"),
                        FolderParity::multimodal));
        return t;
    }

    /**
     * {@code PerceiverForMultimodalAutoencoding}: {@code logits.audio}, {@code logits.image}, {@code logits.label} of
     * the subsampled output points (all points of a modality without them), {@code last_hidden_state} = latents.
     */
    private static Map<String, NDArray> multimodal(
            Module model, Map<String, NDArray> args, FolderCase c, Engine engine) {
        MultimodalAutoencoder m = (MultimodalAutoencoder) model;
        NDArray image = args.get("image");
        NDArray audio = args.get("audio");
        NDArray label = args.get("label");
        MultimodalOutput out =
                m.forward(image, audio, label, new OutputPoints(args.get("image_points"), args.get("audio_points")));
        Map<String, NDArray> result = new LinkedHashMap<>();
        result.put("logits.audio", out.audio());
        result.put("logits.image", out.image());
        result.put("logits.label", out.label());
        result.put("last_hidden_state", m.encode(image, audio, label));
        return result;
    }

    /**
     * transformers' text arguments as ours: {@code pad_mask = attention_mask == 0}; with {@code length > n} the ids are
     * right-padded (id 0, masked) to that length.
     */
    private static Map<String, NDArray> hfTextArgs(Map<String, NDArray> args, int length) {
        NDArray x = args.get("x");
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        NDManager m = x.getManager();
        NDArray attention = args.get("attention_mask");
        NDArray padMask = attention == null ? m.zeros(new Shape(b, n), DataType.BOOLEAN) : attention.eq(0);
        if (length > n) {
            NDArray pad = m.zeros(new Shape(b, length - n), DataType.INT64);
            x = x.concat(pad.toType(x.getDataType(), false), 1);
            padMask = padMask.concat(pad.eq(0), 1);
        }
        return Map.of("x", x, "pad_mask", padMask);
    }

    /**
     * {@code PerceiverForMaskedLM}: its decoder always queries all {@code max_position_embeddings} positions, so the
     * input is right-padded (masked) to that length; the padded positions are excluded from the encoder's attention.
     */
    private static Map<String, NDArray> hfMaskedLm(
            Module model, Map<String, NDArray> args, FolderCase c, Engine engine) {
        int length = ((MaskedLanguageModel) model).config().decoder().maxSeqLen();
        return perceiverIo(model, hfTextArgs(args, length), c, engine);
    }

    private static <M extends Module> Loader textLoader(ModelKind<?, M> kind, String task) {
        return (dir, manager) -> {
            TextModelFolder<M> f = TextModelFolder.load(dir, manager, task, kind);
            return new LoadedFolder(f.model(), f);
        };
    }

    /** Perceiver IO models: {@code logits} = forward(x, pad_mask), {@code last_hidden_state} = encoder latents. */
    private static Map<String, NDArray> perceiverIo(
            Module model, Map<String, NDArray> args, FolderCase c, Engine engine) {
        PerceiverIO io = (PerceiverIO) model;
        NDArray x = args.get("x");
        NDArray padMask = args.get("pad_mask");
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("logits", EngineForward.forward(engine, io, x, padMask));
        out.put("last_hidden_state", io.encoder().forward(x, padMask));
        return out;
    }

    /** Perceiver AR models: {@code forwardLogits(x, prefix_len, pad_mask)}; the case must give prefix_len. */
    private static Map<String, NDArray> causal(Module model, Map<String, NDArray> args, FolderCase c, Engine engine) {
        if (c.prefixLen() == null) {
            throw new IllegalArgumentException("folder case of a causal model needs 'prefix_len'");
        }
        CausalSequenceModel.LmOutput out = EngineForward.forwardCausal(
                engine, (CausalSequenceModel) model, args.get("x"), c.prefixLen(), args.get("pad_mask"));
        return Map.of("logits", out.logits(), "last_hidden_state", out.lastHiddenState());
    }

    /** The case name of a model-folder fixture file name: without {@code .expected.safetensors}. */
    static String caseName(String fileName) {
        String name = fileName.replaceFirst("\\.safetensors$", "");
        return name.endsWith(EXPECTED) ? name.substring(0, name.length() - EXPECTED.length()) : name;
    }

    /** The folder of a case, resolved beside the fixture file. */
    private static Path folder(Fixture f, FolderCase c) {
        Path parent = f.path().toAbsolutePath().getParent();
        return parent.resolve(c.folder()).normalize();
    }

    /**
     * Why a case is skipped, if it is: a folder in the Hugging Face {@code transformers} layout whose kind the model
     * registry does not know yet. Krasserm-layout folders are never skipped (their failures are errors).
     */
    static Optional<String> skipReason(Fixture f) throws IOException {
        FolderCase c = f.meta(FolderCase.class);
        if (!FolderCase.HUGGINGFACE.equals(c.layout())) {
            return Optional.empty();
        }
        ModelFolder.Header header = ModelFolder.header(folder(f, c));
        try {
            ModelKind<?, ?> kind = ModelKinds.installed().resolve(header.modelType(), header.architectures());
            if (HF_TASKS.containsKey(kind.savedAs())) {
                return Optional.empty();
            }
            return Optional.of("Hugging Face transformers layout: " + c.architecture() + " (model kind "
                    + kind.modelType() + ") has no model-folder evaluator yet");
        } catch (IllegalArgumentException e) {
            return Optional.of("Hugging Face transformers layout (architecture " + c.architecture() + ", model_type '"
                    + header.modelType() + "') is not supported yet");
        }
    }

    /**
     * Loads the case's folder as {@code --model} does, runs it on the fixture's inputs and compares every
     * {@code output.*}.
     *
     * @throws IOException if the folder cannot be read
     * @throws IllegalArgumentException naming an input bound to an unknown argument, a missing argument, an output
     *     the call does not produce, or what the loader refused
     */
    /**
     * Whether a folder of {@code kind} holds the case's model: the case's architecture itself, or the folder a
     * conversion ({@code perceiver convert}, to either layout) wrote from it (a kind of the same model).
     */
    private static boolean matches(ModelKind<?, ?> kind, String architecture) {
        if (kind.architectures().contains(architecture)) {
            return true;
        }
        try {
            return ModelKinds.installed().byArchitecture(architecture).savedAs() == kind.savedAs();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static List<CaseResult.Check> evaluate(Fixture f, Engine engine) throws Exception {
        FolderCase c = f.meta(FolderCase.class);
        Path dir = folder(f, c);
        ModelFolder.Header header = ModelFolder.header(dir);
        ModelKind<?, ?> kind = ModelKinds.installed().resolve(header.modelType(), header.architectures());
        Task task = (FolderCase.HUGGINGFACE.equals(c.layout()) ? HF_TASKS : TASKS).get(kind.savedAs());
        if (task == null) {
            throw new IllegalArgumentException(
                    "no model-folder evaluator for model kind " + kind.modelType() + " (" + c.architecture() + ")");
        }
        if (c.architecture() != null && !matches(kind, c.architecture())) {
            throw new IllegalArgumentException("case architecture " + c.architecture() + " is not the folder's kind "
                    + kind.modelType() + " " + kind.architectures());
        }
        Map<String, NDArray> args = bind(f, c, task);
        LoadedFolder loaded = task.loader().load(dir, f.manager());
        try (AutoCloseable resources = loaded.resources()) {
            Map<String, NDArray> actual = task.call().call(loaded.model(), args, c, engine);
            List<CaseResult.Check> checks = new ArrayList<>();
            for (Map.Entry<String, TensorData> e : f.tensors().entrySet()) {
                if (!e.getKey().startsWith("output.")) {
                    continue;
                }
                String name = e.getKey().substring("output.".length());
                NDArray a = actual.get(name);
                if (a == null) {
                    throw new IllegalArgumentException("output '" + e.getKey() + "' is not produced by the "
                            + kind.modelType() + " call (it gives: " + String.join(", ", actual.keySet()) + ")");
                }
                checks.add(ParityRunner.compare(
                        name,
                        a,
                        e.getValue(),
                        c.tolerance().atol(),
                        c.tolerance().rtol()));
            }
            return checks;
        }
    }

    /**
     * Input tensors bound to the task's arguments; every input must name a known argument, x is required where the
     * task takes one.
     */
    private static Map<String, NDArray> bind(Fixture f, FolderCase c, Task task) {
        Map<String, NDArray> args = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(c.inputs()).entrySet()) {
            String argument = task.arguments().get(e.getValue());
            if (argument == null) {
                throw new IllegalArgumentException("input '" + e.getKey() + "' is bound to argument '" + e.getValue()
                        + "', which the call does not take (arguments: "
                        + new TreeSet<>(task.arguments().keySet()) + ")");
            }
            if (!f.tensors().containsKey(e.getKey())) {
                throw new IllegalArgumentException("input '" + e.getKey() + "' named in 'inputs' is not in the file");
            }
            if (args.put(argument, f.array(e.getKey())) != null) {
                throw new IllegalArgumentException("two inputs are bound to argument '" + argument + "'");
            }
        }
        if (task.arguments().containsValue("x") && !args.containsKey("x")) {
            throw new IllegalArgumentException("no input is bound to argument 'x'");
        }
        return args;
    }
}
