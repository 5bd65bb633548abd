package dev.perceiver.inference.text;

import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationOutput;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.inference.decoding.StepListener;
import dev.perceiver.inference.engine.CausalDecoderRunner;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.inference.tokenizer.SpecialToken;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text generation with a causal language model: prompts -> continuations. Prompts are encoded without special
 * tokens (as the Hugging Face text-generation pipeline does), left-padded with the tokenizer's pad token into one
 * batch and continued by {@link CausalGenerator}, whose cached steps run on the pipeline's engine
 * ({@link ModelRunners#openDecoder}; float16 steps and generation without the cache run on libtorch); the texts are
 * decoded without special tokens. A pipeline made by {@link #load} owns its model, weights and tokenizer: one
 * {@link #close} frees them (and the engine's session); when it decodes on ONNX Runtime it frees the model's libtorch
 * weights once they are exported (the weights are then held once; should ONNX Runtime then fail to load the export,
 * AUTO loads the model again for libtorch), so that it generates with the cache and float32 steps only (load it with
 * engine libtorch for float16 steps or generation without the cache).
 */
public final class TextGenerationPipeline implements AutoCloseable {
    private final CausalSequenceModel model;
    private final Tokenizer tokenizer;
    private final TextModelFolder<?> owned;
    private final CausalDecoderRunner decoder;

    /** A pipeline over a model and tokenizer the caller owns, decoding on libtorch ({@link #close} closes nothing). */
    public TextGenerationPipeline(CausalSequenceModel model, Tokenizer tokenizer) {
        this(model, tokenizer, Engine.LIBTORCH, 1, null);
    }

    /**
     * A pipeline over a model and tokenizer the caller owns, whose cached decoding steps run on {@code engine}; close
     * it when done (it closes the engine's session, not the model).
     *
     * @param threads ONNX Runtime intra-op threads, in [1, 1024]
     */
    public TextGenerationPipeline(CausalSequenceModel model, Tokenizer tokenizer, Engine engine, int threads) {
        this(model, tokenizer, engine, threads, null);
    }

    private TextGenerationPipeline(
            CausalSequenceModel model, Tokenizer tokenizer, Engine engine, int threads, TextModelFolder<?> owned) {
        int modelVocab = model.config().vocabSize();
        if (tokenizer.vocabSize() > modelVocab) {
            throw new IllegalArgumentException("tokenizer vocabulary (" + tokenizer.vocabSize()
                    + ") is larger than the model's vocab_size (" + modelVocab + ")");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.decoder = ModelRunners.openDecoder(model, engine, threads, owned != null);
        this.owned = owned;
    }

    /**
     * Loads a causal language model folder ({@link TextModelFolder}) into a pipeline that owns it.
     *
     * @throws IOException for a missing or invalid folder
     * @throws dev.perceiver.model.io.WrongModelKindException for a folder of another model type
     */
    public static TextGenerationPipeline load(Path dir) throws IOException {
        return load(dir, Engine.LIBTORCH, 1);
    }

    /**
     * As {@link #load(Path)}, decoding on {@code engine} ({@code threads} ONNX Runtime intra-op threads, in [1, 1024]).
     */
    public static TextGenerationPipeline load(Path dir, Engine engine, int threads) throws IOException {
        return ModelRunners.loadFallingBack(
                engine,
                e -> TextModelFolder.loadOwned(
                        dir,
                        null,
                        TextModelKinds.CAUSAL_LANGUAGE_MODEL,
                        f -> new TextGenerationPipeline(f.model(), f.tokenizer(), e, threads, f)));
    }

    /** The engine of the cached decoding steps. */
    public Engine engine() {
        return decoder.engine();
    }

    /** Closes the engine's session, and the model, weights and tokenizer when {@link #load} made them. */
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

    /** The model (owned by this pipeline when {@link #load} made it). */
    public CausalSequenceModel model() {
        return model;
    }

    /** The tokenizer (owned by this pipeline when {@link #load} made it). */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The generation options this pipeline uses by default: greedy, the tokenizer's pad token and its EOS token
     * (if any) as stop token.
     */
    public GenerationConfig defaults(int maxNewTokens) {
        return defaults(tokenizer, maxNewTokens);
    }

    /** {@link #defaults(int)} of a pipeline with {@code tokenizer}. */
    public static GenerationConfig defaults(Tokenizer tokenizer, int maxNewTokens) {
        return GenerationConfig.greedy(maxNewTokens)
                .withPadTokenId((int) tokenizer.padTokenId())
                .withEosTokenId(
                        tokenizer.tokenId(SpecialToken.EOS).isPresent()
                                ? (int) tokenizer.tokenId(SpecialToken.EOS).getAsLong()
                                : null);
    }

    /**
     * @param prompts non-empty prompts; together at most max_seq_len tokens long after left padding
     * @param config generation options (pad and EOS ids as the tokenizer's, see {@link #defaults})
     * @return one result per prompt, in order
     */
    public List<GeneratedText> generate(List<String> prompts, GenerationConfig config) {
        return generate(prompts, config, null);
    }

    /**
     * {@link #generate(List, GenerationConfig)} with a listener called after every step (e.g. to stream tokens).
     *
     * @param listener called on the generating thread after every step, or null
     */
    public List<GeneratedText> generate(List<String> prompts, GenerationConfig config, StepListener listener) {
        int vocab = model.config().vocabSize();
        if (config.eosTokenId() != null && config.eosTokenId() >= vocab) {
            throw new IllegalArgumentException("eos_token_id (" + config.eosTokenId() + ") must be in [0, "
                    + (vocab - 1) + "], the model's vocabulary (vocab_size " + vocab + ")");
        }
        if (config.padTokenId() >= vocab) {
            throw new IllegalArgumentException("pad_token_id (" + config.padTokenId() + ") must be in [0, "
                    + (vocab - 1) + "], the model's vocabulary (vocab_size " + vocab + ")");
        }
        List<long[]> encoded = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            long[] ids = tokenizer.encode(prompts.get(p), false);
            if (ids.length == 0) {
                throw new IllegalArgumentException("prompt " + p + " is empty; at least 1 token is required");
            }
            encoded.add(ids);
        }
        PromptBatch batch = PromptBatch.leftPadded(encoded, config.padTokenId());
        GenerationOutput out = new CausalGenerator(model, null, decoder).generate(batch, config, false, listener);
        List<GeneratedText> results = new ArrayList<>();
        for (int r = 0; r < prompts.size(); r++) {
            long[] prompt = encoded.get(r);
            long[] generated = out.generated(r);
            long[] all = new long[prompt.length + generated.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(generated, 0, all, prompt.length, generated.length);
            String full = tokenizer.decode(all, true);
            String promptText = tokenizer.decode(prompt, true);
            String continuation = full.startsWith(promptText)
                    ? full.substring(promptText.length())
                    : tokenizer.decode(generated, true);
            boolean eos = config.eosTokenId() != null
                    && generated.length > 0
                    && generated[generated.length - 1] == config.eosTokenId();
            results.add(new GeneratedText(prompts.get(r), continuation, full, generated, eos));
        }
        return results;
    }
}
