package dev.perceiver.inference.decoding;

import dev.perceiver.model.limits.InputLimits;

/**
 * Options of one generation call.
 *
 * @param maxNewTokens number of tokens to generate per sequence (fewer when every sequence stops at EOS), >= 1
 * @param numLatents latent positions assigned to the end of the prompt at the start, in [1, max_latents]; the
 *        remaining prompt positions form the prefix (reference {@code num_latents}, default 1); checked against the
 *        model by the generator
 * @param doSample false: greedy (argmax); true: sample from the distribution after temperature, top-k and top-p
 * @param temperature logits are divided by it before sampling, > 0 (1 = unchanged)
 * @param topK keep only the k most probable tokens when sampling, 0 = all
 * @param topP keep the smallest set of most probable tokens whose probability mass exceeds top_p, in (0, 1]
 *        (1 = all)
 * @param seed seed of the sampling random numbers: the same seed gives the same tokens
 * @param eosTokenId a sequence that produced this token is finished and continues with pad tokens; null = never
 *        stop early
 * @param padTokenId token appended to finished sequences, >= 0
 * @param useCache true: the prompt is processed once and then one token per step with key/value caches; false:
 *        the whole window is recomputed every step (slow; for checks)
 * @param float16Steps true: the cached one-token steps multiply with float16 copies of the linear layers' weights
 *        (see {@link InferenceWeights}): faster where memory bandwidth bounds
 *        decoding, with logits that differ from float32 by float16 rounding; false: float32 throughout
 */
public record GenerationConfig(
        int maxNewTokens,
        int numLatents,
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        long seed,
        Integer eosTokenId,
        int padTokenId,
        boolean useCache,
        boolean float16Steps) {

    /** Validates the options; messages name the option, its value and the valid range. */
    public GenerationConfig {
        checkMaxNewTokens(maxNewTokens);
        checkSampling(temperature, topK, topP);
        if (eosTokenId != null && eosTokenId < 0) {
            throw new IllegalArgumentException("eos_token_id (" + eosTokenId + ") must be >= 0");
        }
        if (padTokenId < 0) {
            throw new IllegalArgumentException("pad_token_id (" + padTokenId + ") must be >= 0");
        }
    }

    /**
     * Checks a number of tokens to generate: 1..{@link InputLimits#MAX_NEW_TOKENS}.
     *
     * @throws IllegalArgumentException naming max_new_tokens, the value and the range
     */
    public static void checkMaxNewTokens(int maxNewTokens) {
        if (maxNewTokens < 1 || maxNewTokens > InputLimits.MAX_NEW_TOKENS) {
            throw new IllegalArgumentException(
                    "max_new_tokens (" + maxNewTokens + ") must be in [1, " + InputLimits.MAX_NEW_TOKENS + "]");
        }
    }

    /**
     * Checks the sampling options: temperature finite and > 0, top_k >= 0 (0 = off), top_p in (0, 1] (1 = off).
     *
     * @throws IllegalArgumentException naming the first option out of range, its value and the range
     */
    public static void checkSampling(double temperature, int topK, double topP) {
        if (!(temperature > 0.0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature (" + temperature + ") must be a finite number > 0");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k (" + topK + ") must be >= 0 (0 = no top-k filtering)");
        }
        if (!(topP > 0.0 && topP <= 1.0)) {
            throw new IllegalArgumentException("top_p (" + topP + ") must be in (0, 1] (1 = no top-p filtering)");
        }
    }

    /** Greedy generation of {@code maxNewTokens} tokens with one initial latent, no EOS, pad id 0, cache on. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 1, false, 1.0, 0, 1.0, 0L, null, 0, true, false);
    }

    /** The same options with another initial number of latents. */
    public GenerationConfig withNumLatents(int n) {
        return new GenerationConfig(
                maxNewTokens,
                n,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                eosTokenId,
                padTokenId,
                useCache,
                float16Steps);
    }

    /** The same options with sampling switched on. */
    public GenerationConfig withSampling(double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(
                maxNewTokens,
                numLatents,
                true,
                temperature,
                topK,
                topP,
                seed,
                eosTokenId,
                padTokenId,
                useCache,
                float16Steps);
    }

    /** The same options with greedy selection. */
    public GenerationConfig withGreedy() {
        return new GenerationConfig(
                maxNewTokens,
                numLatents,
                false,
                temperature,
                topK,
                topP,
                seed,
                eosTokenId,
                padTokenId,
                useCache,
                float16Steps);
    }

    /** The same options with another EOS token (null: no early stop). */
    public GenerationConfig withEosTokenId(Integer id) {
        return new GenerationConfig(
                maxNewTokens,
                numLatents,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                id,
                padTokenId,
                useCache,
                float16Steps);
    }

    /** The same options with another pad token. */
    public GenerationConfig withPadTokenId(int id) {
        return new GenerationConfig(
                maxNewTokens,
                numLatents,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                eosTokenId,
                id,
                useCache,
                float16Steps);
    }

    /** The same options with the key/value cache on or off. */
    public GenerationConfig withCache(boolean on) {
        return new GenerationConfig(
                maxNewTokens,
                numLatents,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                eosTokenId,
                padTokenId,
                on,
                float16Steps);
    }

    /** The same options with float16 decoding steps on or off. */
    public GenerationConfig withFloat16Steps(boolean on) {
        return new GenerationConfig(
                maxNewTokens,
                numLatents,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                eosTokenId,
                padTokenId,
                useCache,
                on);
    }

    /** The same options with another number of new tokens. */
    public GenerationConfig withMaxNewTokens(int n) {
        return new GenerationConfig(
                n, numLatents, doSample, temperature, topK, topP, seed, eosTokenId, padTokenId, useCache, float16Steps);
    }
}
