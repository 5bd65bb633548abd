package dev.perceiver.inference.audio;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationOutput;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.inference.decoding.StepListener;
import dev.perceiver.inference.engine.CausalDecoderRunner;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.tasks.audio.AudioModelKinds;
import dev.perceiver.tasks.audio.SymbolicAudioModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import javax.sound.midi.Sequence;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Continues a MIDI prompt with a {@link SymbolicAudioModel}, as the reference's symbolic audio generation pipeline:
 * the prompt file is encoded with {@link MidiEventCodec} and keeps its first max_prompt_length tokens (by default
 * max_seq_len of the model); the model generates a continuation ({@link CausalGenerator}); the prompt and the
 * continuation (or the continuation only) are decoded into a MIDI file and, on request, rendered to a WAV file with
 * {@link WavRenderer}. Options and their defaults: {@link SymbolicAudioOptions}. The cached decoding steps run on the
 * pipeline's engine ({@link ModelRunners#openDecoder}; libtorch unless a constructor or {@code load} names another;
 * float16 steps and generation without the cache run on libtorch). A pipeline made by {@link #load} owns its model
 * and weights: one {@link #close} frees them (and the engine's session); when it decodes on ONNX Runtime it frees the
 * model's libtorch weights once they are exported (should ONNX Runtime then fail to load the export, AUTO loads the
 * model again for libtorch), so that it generates with the cache and float32 steps only (load it with engine
 * libtorch for float16 steps or generation without the cache).
 */
public final class SymbolicAudioPipeline implements AutoCloseable {
    private final SymbolicAudioModel model;
    private final WavRenderer renderer;
    private final NDManager owned;
    private final CausalDecoderRunner decoder;

    /** A pipeline rendering with the default {@link WavRenderer}. */
    public SymbolicAudioPipeline(SymbolicAudioModel model) {
        this(model, new WavRenderer());
    }

    /**
     * A pipeline over a model the caller owns ({@link #close} closes nothing).
     *
     * @param model a model over the MIDI event vocabulary (vocab_size 389), in evaluation mode
     * @param renderer renders the WAV output
     * @throws IllegalArgumentException if the model's vocab_size is not {@value MidiEventCodec#VOCAB_SIZE}
     */
    public SymbolicAudioPipeline(SymbolicAudioModel model, WavRenderer renderer) {
        this(model, renderer, Engine.LIBTORCH, 1, null);
    }

    /**
     * As {@link #SymbolicAudioPipeline(SymbolicAudioModel, WavRenderer)}, with the cached decoding steps on
     * {@code engine} ({@code threads} ONNX Runtime intra-op threads, in [1, 1024]); close it when done (it closes the
     * engine's session, not the model).
     */
    public SymbolicAudioPipeline(SymbolicAudioModel model, WavRenderer renderer, Engine engine, int threads) {
        this(model, renderer, engine, threads, null);
    }

    private SymbolicAudioPipeline(
            SymbolicAudioModel model, WavRenderer renderer, Engine engine, int threads, NDManager owned) {
        this.model = Objects.requireNonNull(model, "model");
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        int vocab = model.config().vocabSize();
        if (vocab != MidiEventCodec.VOCAB_SIZE) {
            throw new IllegalArgumentException("vocab_size (" + vocab + ") of the symbolic audio model must be "
                    + MidiEventCodec.VOCAB_SIZE + " (" + MidiEventCodec.NUM_EVENT_IDS + " MIDI event ids + padding)");
        }
        this.decoder = ModelRunners.openDecoder(model, engine, threads, owned != null);
        this.owned = owned;
    }

    /**
     * Loads a symbolic audio model folder ({@link #loadModel}) into a pipeline that owns it, rendering with the
     * default {@link WavRenderer}.
     *
     * @throws IOException if the folder or its files are missing or invalid
     * @throws WrongModelKindException if the folder holds another model type
     */
    public static SymbolicAudioPipeline load(Path dir) throws IOException {
        return load(dir, new WavRenderer());
    }

    /** As {@link #load(Path)}, rendering WAV files with {@code renderer}. */
    public static SymbolicAudioPipeline load(Path dir, WavRenderer renderer) throws IOException {
        return load(dir, renderer, Engine.LIBTORCH, 1);
    }

    /**
     * As {@link #load(Path, WavRenderer)}, decoding on {@code engine} ({@code threads} ONNX Runtime intra-op threads,
     * in [1, 1024]).
     */
    public static SymbolicAudioPipeline load(Path dir, WavRenderer renderer, Engine engine, int threads)
            throws IOException {
        return ModelRunners.loadFallingBack(engine, e -> {
            NDManager manager = NDManager.newBaseManager();
            try {
                return new SymbolicAudioPipeline(loadModel(dir, manager), renderer, e, threads, manager);
            } catch (IOException | RuntimeException failed) {
                manager.close();
                throw failed;
            }
        });
    }

    /** Closes the engine's session, and the model and its weights when {@link #load} made them. */
    @Override
    public void close() {
        try {
            decoder.close();
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }

    /** The engine of the cached decoding steps. */
    public Engine engine() {
        return decoder.engine();
    }

    /**
     * Loads a symbolic audio model folder ({@code model_type} {@code perceiver-ar-symbolic-audio-model}) in
     * evaluation mode.
     *
     * @param dir the model folder
     * @param manager owns the parameters
     * @throws IOException if the folder or its files are missing or invalid
     * @throws WrongModelKindException if the folder holds another model type
     */
    public static SymbolicAudioModel loadModel(Path dir, NDManager manager) throws IOException {
        ModelFolder.Loaded loaded = ModelFolder.load(dir, manager);
        WrongModelKindException.require(dir, loaded.kind(), AudioModelKinds.SYMBOLIC_AUDIO_MODEL, null);
        SymbolicAudioModel m = (SymbolicAudioModel) loaded.model();
        m.setTraining(false);
        return m;
    }

    /** The model. */
    public SymbolicAudioModel model() {
        return model;
    }

    /**
     * A continuation of prompt tokens.
     *
     * @param promptTokens the prompt as given to the model (after truncation)
     * @param generatedTokens the generated tokens
     * @param numLatents the initial number of latent positions used
     * @param seed the seed of the sampling random numbers
     */
    public record Continuation(int[] promptTokens, int[] generatedTokens, int numLatents, long seed) {}

    /** {@link #continueTokens(int[], SymbolicAudioOptions, StepListener)} without a listener. */
    public Continuation continueTokens(int[] tokens, SymbolicAudioOptions options) {
        return continueTokens(tokens, options, null);
    }

    /**
     * Continues token ids of the MIDI event vocabulary.
     *
     * @param tokens the prompt, at least 1 token, ids in [0, 389); only its first max_prompt_length tokens are used
     * @param options generation options
     * @param listener called after every generated token, or null
     * @return the prompt as used and the generated tokens
     * @throws IllegalArgumentException if the prompt is empty or has an id outside the vocabulary, if
     *         max_prompt_length exceeds max_seq_len, or if num_latents does not fit the model and the prompt
     */
    public Continuation continueTokens(int[] tokens, SymbolicAudioOptions options, StepListener listener) {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(options, "options");
        PerceiverARConfig c = model.config();
        if (tokens.length == 0) {
            throw new IllegalArgumentException("prompt has 0 tokens; at least 1 is required");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= MidiEventCodec.VOCAB_SIZE) {
                throw new IllegalArgumentException("prompt token " + tokens[i] + " at position " + i
                        + " is outside the vocabulary [0, " + MidiEventCodec.VOCAB_SIZE + ")");
            }
        }
        int limit = options.maxPromptLength() == null ? c.maxSeqLen() : options.maxPromptLength();
        if (limit > c.maxSeqLen()) {
            throw new IllegalArgumentException(
                    "max_prompt_length (" + limit + ") must be <= max_seq_len (" + c.maxSeqLen() + ") of the model");
        }
        int[] prompt = tokens.length > limit ? Arrays.copyOf(tokens, limit) : tokens.clone();
        int numLatents =
                options.numLatents() != null ? options.numLatents() : Math.max(1, prompt.length - c.maxPrefixLen());
        long seed = options.seed() != null
                ? options.seed()
                : ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE);
        GenerationConfig config = new GenerationConfig(
                options.maxNewTokens(),
                numLatents,
                options.doSample(),
                options.temperature(),
                options.topK(),
                options.topP(),
                seed,
                null,
                MidiEventCodec.PAD_ID,
                options.useCache(),
                options.float16Steps());
        long[] ids = new long[prompt.length];
        for (int i = 0; i < prompt.length; i++) {
            ids[i] = prompt[i];
        }
        GenerationOutput out = new CausalGenerator(model, null, decoder)
                .generate(PromptBatch.leftPadded(List.of(ids), MidiEventCodec.PAD_ID), config, false, listener);
        long[] generated = out.generated(0);
        int[] gen = new int[generated.length];
        for (int i = 0; i < gen.length; i++) {
            gen[i] = (int) generated[i];
        }
        return new Continuation(prompt, gen, Math.min(numLatents, prompt.length), seed);
    }

    /** {@link #generate(Path, Path, Path, SymbolicAudioOptions, StepListener)} without a listener. */
    public SymbolicAudioResult generate(Path promptMidi, Path outputMidi, Path wavFile, SymbolicAudioOptions options)
            throws IOException {
        return generate(promptMidi, outputMidi, wavFile, options, null);
    }

    /**
     * Continues a MIDI prompt file and writes the result.
     *
     * @param promptMidi a Standard MIDI File with at least one note
     * @param outputMidi the MIDI output, written atomically
     * @param wavFile the WAV output, written atomically, or null for none
     * @param options generation options
     * @param listener called after every generated token, or null
     * @return tokens, counts and paths
     * @throws IOException if the prompt cannot be read or an output cannot be written
     * @throws IllegalArgumentException if the prompt has no notes or an option does not fit the model (see
     *         {@link #continueTokens})
     */
    public SymbolicAudioResult generate(
            Path promptMidi, Path outputMidi, Path wavFile, SymbolicAudioOptions options, StepListener listener)
            throws IOException {
        Objects.requireNonNull(promptMidi, "promptMidi");
        Objects.requireNonNull(outputMidi, "outputMidi");
        if (wavFile != null
                && wavFile.toAbsolutePath()
                        .normalize()
                        .equals(outputMidi.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(
                    "WAV file " + wavFile + " must differ from the MIDI output " + outputMidi);
        }
        int[] fileTokens = MidiEventCodec.encode(promptMidi);
        if (fileTokens.length == 0) {
            throw new IllegalArgumentException(
                    "prompt " + promptMidi + " has no notes (0 tokens); at least 1 note " + "is required");
        }
        Continuation cont = continueTokens(fileTokens, options, listener);
        int[] output =
                options.includePrompt() ? concat(cont.promptTokens(), cont.generatedTokens()) : cont.generatedTokens();
        List<MidiNote> notes = MidiEventCodec.decodeNotes(output);
        Sequence sequence = MidiEventCodec.toSequence(notes, MidiEventCodec.DEFAULT_PROGRAM);
        MidiFiles.write(sequence, outputMidi);
        Double wavSeconds = null;
        if (wavFile != null) {
            renderer.render(sequence, wavFile);
            wavSeconds = wavSeconds(wavFile);
        }
        return new SymbolicAudioResult(
                fileTokens.length,
                cont.promptTokens(),
                cont.generatedTokens(),
                cont.numLatents(),
                cont.seed(),
                options.includePrompt(),
                notes.size(),
                WavRenderer.durationSeconds(sequence),
                outputMidi,
                wavFile,
                wavSeconds);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double wavSeconds(Path wav) throws IOException {
        try {
            AudioFileFormat format = AudioSystem.getAudioFileFormat(wav.toFile());
            return format.getFrameLength() / (double) format.getFormat().getFrameRate();
        } catch (UnsupportedAudioFileException e) {
            throw new IOException("rendered file " + wav + " is not a readable WAV file: " + e.getMessage(), e);
        }
    }
}
