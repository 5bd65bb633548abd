package dev.perceiver.inference.decoding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.DecodingCache;

/**
 * The state of one cached generation with a {@link CausalSequenceModel}, owned by the {@link CausalGenerator} call
 * that opened it: the {@link DecodingCache}, the {@link InferenceWeights} its steps use (the generator's, or its
 * own, prepared at the first step and freed with the session), and a manager for its arrays. The first call of
 * {@link #next} processes the prompt with the model's cached forward (the reference path); every later call cuts
 * the caches to the window, as the reference does before a step, and runs one {@link DecodingStep} for the last
 * token. One session serves one generation on one thread at a time; sessions share nothing mutable, so several may
 * run at once on one model.
 *
 * <p>Memory: each call runs in an {@link NDScope} that frees its temporaries; the cache storage is allocated once
 * (it grows only when a window outgrows it) and lives, with everything else, in a sub-manager of the model's manager
 * that {@link #close()} frees, so the number of live arrays does not grow with the number of steps.
 */
final class DecodingSession implements CachedDecoder.Session {
    private final CausalSequenceModel model;
    private final GenerationWindow window;
    private final boolean float16Steps;
    private final NDManager manager;
    private final DecodingCache cache;
    private InferenceWeights weights;
    private final boolean ownsWeights;

    /**
     * @param shared prepared weights of {@code model} for all calls (with float16 copies when the config asks for
     *     float16 steps), or null to prepare them for this session
     * @param batchSize b
     * @param promptLength n
     */
    DecodingSession(
            CausalSequenceModel model,
            InferenceWeights shared,
            GenerationWindow window,
            GenerationConfig config,
            int batchSize,
            int promptLength) {
        this.model = model;
        this.window = window;
        this.float16Steps = config.float16Steps();
        this.weights = shared;
        this.ownsWeights = shared == null;
        if (shared != null && float16Steps && !shared.hasFloat16()) {
            throw new IllegalArgumentException("float16_steps (true) needs InferenceWeights prepared with float16 "
                    + "copies; prepare them with InferenceWeights.prepare(model, true)");
        }
        manager = model.manager().newSubManager();
        // the window never holds more than max_seq_len positions, of which at most max_latents are latents
        long total = (long) promptLength + config.maxNewTokens();
        long crossAttention = Math.min(total, window.maxCrossAttentionCache() + 1L);
        long selfAttention = Math.min(total, window.maxSelfAttentionCache() + 1L);
        DecodingCache c;
        try {
            c = model.newDecodingCache(manager, batchSize, crossAttention, selfAttention);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        cache = c;
    }

    /**
     * The logits of the last position of each row after the tokens {@code ids[.., 0..length)}: the prompt pass on
     * the first call, a one-token step after it.
     *
     * @param ids token ids (b, capacity)
     * @param attentionMask (b, capacity), false = left padding
     * @return b rows of vocab_size logits
     */
    @Override
    public float[][] next(long[][] ids, boolean[][] attentionMask, int length) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits;
            if (cache.isEmpty()) {
                logits = model.forwardLogits(
                                StepArrays.ids(manager, ids, 0, length),
                                window.initialPrefixLen(),
                                StepArrays.padMask(manager, attentionMask, 0, length),
                                cache)
                        .logits();
            } else {
                cache.keepLast(window.maxCrossAttentionCache(), window.maxSelfAttentionCache());
                int w = (int) cache.crossAttention().length() + 1;
                boolean half = float16Steps && ids.length <= InferenceWeights.MAX_HALF_ROWS;
                logits = DecodingStep.logits(
                        model,
                        weights(),
                        StepArrays.ids(manager, ids, length - 1, length),
                        StepArrays.padMask(manager, attentionMask, length - w, length),
                        cache,
                        half);
            }
            return StepArrays.lastLogits(logits);
        }
    }

    /** The weights of the steps: the shared ones, or this session's, prepared at the first step. */
    private InferenceWeights weights() {
        if (weights == null) {
            weights = InferenceWeights.prepare(model, float16Steps);
        }
        return weights;
    }

    /** Frees the cache and the session's own weights. */
    @Override
    public void close() {
        try {
            cache.close();
            if (ownsWeights && weights != null) {
                weights.close();
            }
        } finally {
            manager.close();
        }
    }
}
