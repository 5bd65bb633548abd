package dev.perceiver.inference.decoding;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.DecodingCache;
import dev.perceiver.nn.Parameter;

/**
 * Autoregressive generation with a {@link CausalSequenceModel} (causal language model, symbolic audio model) under
 * the reference's window rules ({@link GenerationWindow}).
 *
 * <p>With the cache (default) each call opens a session of its {@link CachedDecoder}: the prompt batch (b, n) is
 * processed once; each further step feeds only the last token (b, 1). On libtorch (the default,
 * {@link CachedDecoder#libtorch}, and always for float16 steps) that is a {@link DecodingSession}: the single-token
 * kernel ({@link DecodingStep}) extends the {@link DecodingCache} in place; a decoder on another engine (ONNX Runtime:
 * {@code inference.engine.ModelRunners#openDecoder}) runs the same function there. Before a step, self-attention
 * caches longer than max_latents - 1 and the cross-attention cache longer than max_seq_len - 1 are cut to their
 * right-most positions, as the reference does.
 * Without the cache, every step recomputes the window of the last min(total, max_seq_len) tokens with the model's
 * forward.
 *
 * <p>Weights: the steps use {@link InferenceWeights} (stacked q/k/v projections, float16 copies for float16 steps).
 * A generator made with prepared weights uses them for every call (the caller keeps the model's weights unchanged
 * while they are in use, and closes them); otherwise each call prepares its own and frees them when it returns.
 *
 * <p>Threads: a generator holds no mutable state; several threads may generate with one generator (or one model) at
 * the same time, each call with its own session. Single-token steps run fastest on a thread with one libtorch
 * intra-op thread: run generation on {@link dev.perceiver.nn.EngineSetup}'s serial workers for that.
 */
public final class CausalGenerator {
    private final CausalSequenceModel model;
    private final InferenceWeights weights;
    private final CachedDecoder decoder;

    /** A generator that prepares the step weights per call. */
    public CausalGenerator(CausalSequenceModel model) {
        this(model, null);
    }

    /**
     * @param weights weights prepared from {@code model} for every call, or null to prepare them per call
     */
    public CausalGenerator(CausalSequenceModel model, InferenceWeights weights) {
        this(model, weights, null);
    }

    /**
     * A generator whose cached steps run on {@code decoder} (e.g. ONNX Runtime, see
     * {@code inference.engine.ModelRunners#openDecoder}); generations with float16 steps, which only libtorch has,
     * and without the cache run on libtorch.
     *
     * @param weights weights prepared from {@code model} for libtorch's steps, or null to prepare them per call
     * @param decoder cached decoding of {@code model}, or null for libtorch's ({@link CachedDecoder#libtorch})
     */
    public CausalGenerator(CausalSequenceModel model, InferenceWeights weights, CachedDecoder decoder) {
        if (weights != null && weights.model() != model) {
            throw new IllegalArgumentException("the inference weights were prepared for another model");
        }
        if (decoder != null && decoder.model() != model) {
            throw new IllegalArgumentException("the cached decoder was made for another model");
        }
        this.model = model;
        this.weights = weights;
        this.decoder = decoder;
    }

    /** Generates without keeping step logits. */
    public GenerationOutput generate(PromptBatch prompts, GenerationConfig config) {
        return generate(prompts, config, false, null);
    }

    /**
     * @param prompts left-padded prompts (b, n), 1 <= n <= max_seq_len
     * @param config generation options; num_latents must be in [1, max_latents] and leave a prefix of at most
     *        max_prefix_len
     * @param keepStepLogits whether to return the raw logits (b, steps, vocab_size) of every step
     * @param listener called after every step, or null
     * @return sequences (b, n + steps) and per-row generated counts
     */
    public GenerationOutput generate(
            PromptBatch prompts, GenerationConfig config, boolean keepStepLogits, StepListener listener) {
        if (model.isTraining()) {
            throw new IllegalArgumentException("model is in training mode; call setTraining(false) before generating");
        }
        int vocab = model.config().vocabSize();
        if (config.padTokenId() >= vocab) {
            throw new IllegalArgumentException(
                    "pad_token_id (" + config.padTokenId() + ") out of range [0, " + vocab + ") (vocab_size)");
        }
        boolean onLibtorch = decoder == null || config.float16Steps() || !config.useCache();
        if (onLibtorch && model.stateDict().values().stream().anyMatch(Parameter::isReleased)) {
            throw new IllegalArgumentException((config.float16Steps()
                            ? "float16 steps (--fp16)"
                            : config.useCache()
                                    ? "cached decoding on libtorch"
                                    : "generation without the cache (--no-cache)")
                    + " needs the model's libtorch weights, which were freed after its export to ONNX Runtime (a"
                    + " pipeline loaded with engine onnxruntime or auto); load it with engine libtorch");
        }
        GenerationWindow window = new GenerationWindow(model.config(), prompts.length(), config.numLatents());
        TokenBuffer tokens = new TokenBuffer(prompts, config, keepStepLogits);
        TokenSelector selector = new TokenSelector(config);
        if (config.useCache()) {
            CachedDecoder cached =
                    decoder == null || config.float16Steps() ? CachedDecoder.libtorch(model, weights) : decoder;
            try (CachedDecoder.Session session = cached.open(window, config, prompts.batchSize(), prompts.length())) {
                run(
                        tokens,
                        config,
                        selector,
                        listener,
                        () -> session.next(tokens.ids(), tokens.attentionMask(), tokens.length()));
            }
        } else {
            try (NDManager gm = model.manager().newSubManager()) {
                run(tokens, config, selector, listener, () -> recompute(gm, window, tokens));
            }
        }
        return tokens.output();
    }

    /** The step loop: logits, token choice, listener, until max_new_tokens or every row finished. */
    private static void run(
            TokenBuffer tokens,
            GenerationConfig config,
            TokenSelector selector,
            StepListener listener,
            java.util.function.Supplier<float[][]> nextLogits) {
        for (int step = 0; step < config.maxNewTokens(); step++) {
            long[] chosen = tokens.append(step, nextLogits.get(), selector);
            if (listener != null) {
                listener.onStep(step, chosen, tokens.finished());
            }
            if (tokens.allFinished()) {
                return;
            }
        }
    }

    /** Logits of the last position after recomputing the window of the tokens so far (no cache). */
    private float[][] recompute(NDManager gm, GenerationWindow window, TokenBuffer tokens) {
        int len = tokens.length();
        int w = window.windowLength(len);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return StepArrays.lastLogits(model.forwardLogits(
                            StepArrays.ids(gm, tokens.ids(), len - w, len),
                            window.prefixLen(len),
                            StepArrays.padMask(gm, tokens.attentionMask(), len - w, len),
                            null)
                    .logits());
        }
    }
}
