package dev.perceiver.inference.audio;

import dev.perceiver.inference.decoding.GenerationConfig;

/**
 * Options of {@link SymbolicAudioPipeline}. The defaults are those of the reference's symbolic audio generation
 * example: 64 new tokens, 1 initial latent, sampling with top-p 0.95 at temperature 1.0, and top-k 50 (the Hugging
 * Face {@code generate} default the reference runs with when it samples).
 *
 * @param maxNewTokens number of tokens to generate, >= 1
 * @param numLatents initial number of latent positions at the end of the prompt, in [1, max_latents]; null = 1, or
 *        the smallest valid number when the prompt is longer than max_prefix_len + 1
 * @param maxPromptLength the prompt keeps its first max_prompt_length tokens (as the reference's
 *        {@code max_prompt_length}), in [1, max_seq_len]; null = max_seq_len of the model
 * @param doSample true: sample; false: greedy (the most probable token)
 * @param temperature logits are divided by it before sampling, finite and > 0
 * @param topK sample only from the k most probable tokens, >= 0 (0 = all)
 * @param topP sample only from the most probable tokens whose probability mass reaches top_p, in (0, 1]
 * @param seed seed of the sampling random numbers; null = a random seed in [0, 2^31 - 1) (reported in the result)
 * @param includePrompt true: the output MIDI holds the prompt followed by the continuation (reference
 *        {@code return_full_audio}); false: the continuation only
 * @param useCache whether generation uses key/value caches (false recomputes every step; same tokens, slower)
 * @param float16Steps whether the cached one-token steps use float16 copies of the weights (see
 *        {@link dev.perceiver.inference.decoding.GenerationConfig#float16Steps})
 */
public record SymbolicAudioOptions(
        int maxNewTokens,
        Integer numLatents,
        Integer maxPromptLength,
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        Long seed,
        boolean includePrompt,
        boolean useCache,
        boolean float16Steps) {

    /** Default number of new tokens. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 64;
    /** Default top-p. */
    public static final double DEFAULT_TOP_P = 0.95;
    /** Default top-k. */
    public static final int DEFAULT_TOP_K = 50;
    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 1.0;

    /** Validates; messages name the option, its value and the valid range. */
    public SymbolicAudioOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max_new_tokens (" + maxNewTokens + ") must be >= 1");
        }
        if (numLatents != null && numLatents < 1) {
            throw new IllegalArgumentException("num_latents (" + numLatents + ") must be >= 1");
        }
        if (maxPromptLength != null && maxPromptLength < 1) {
            throw new IllegalArgumentException("max_prompt_length (" + maxPromptLength + ") must be >= 1");
        }
        GenerationConfig.checkSampling(temperature, topK, topP);
    }

    /** The reference defaults (see the class description), a random seed, prompt included, cache on. */
    public static SymbolicAudioOptions defaults() {
        return new SymbolicAudioOptions(
                DEFAULT_MAX_NEW_TOKENS,
                null,
                null,
                true,
                DEFAULT_TEMPERATURE,
                DEFAULT_TOP_K,
                DEFAULT_TOP_P,
                null,
                true,
                true,
                false);
    }

    /** A copy generating {@code n} tokens. */
    public SymbolicAudioOptions withMaxNewTokens(int n) {
        return new SymbolicAudioOptions(
                n,
                numLatents,
                maxPromptLength,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                includePrompt,
                useCache,
                float16Steps);
    }

    /** A copy with another initial number of latents (null = automatic). */
    public SymbolicAudioOptions withNumLatents(Integer n) {
        return new SymbolicAudioOptions(
                maxNewTokens,
                n,
                maxPromptLength,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                includePrompt,
                useCache,
                float16Steps);
    }

    /** A copy with another prompt length limit (null = max_seq_len). */
    public SymbolicAudioOptions withMaxPromptLength(Integer n) {
        return new SymbolicAudioOptions(
                maxNewTokens,
                numLatents,
                n,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                includePrompt,
                useCache,
                float16Steps);
    }

    /** A copy that samples with these settings. */
    public SymbolicAudioOptions withSampling(double temperature, int topK, double topP) {
        return new SymbolicAudioOptions(
                maxNewTokens,
                numLatents,
                maxPromptLength,
                true,
                temperature,
                topK,
                topP,
                seed,
                includePrompt,
                useCache,
                float16Steps);
    }

    /** A copy that chooses the most probable token at every step. */
    public SymbolicAudioOptions withGreedy() {
        return new SymbolicAudioOptions(
                maxNewTokens,
                numLatents,
                maxPromptLength,
                false,
                temperature,
                topK,
                topP,
                seed,
                includePrompt,
                useCache,
                float16Steps);
    }

    /** A copy with another seed (null = random). */
    public SymbolicAudioOptions withSeed(Long s) {
        return new SymbolicAudioOptions(
                maxNewTokens,
                numLatents,
                maxPromptLength,
                doSample,
                temperature,
                topK,
                topP,
                s,
                includePrompt,
                useCache,
                float16Steps);
    }

    /** A copy whose output holds the prompt and the continuation (true) or the continuation only (false). */
    public SymbolicAudioOptions withIncludePrompt(boolean on) {
        return new SymbolicAudioOptions(
                maxNewTokens,
                numLatents,
                maxPromptLength,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                on,
                useCache,
                float16Steps);
    }

    /** A copy with the key/value cache on or off. */
    public SymbolicAudioOptions withCache(boolean on) {
        return new SymbolicAudioOptions(
                maxNewTokens,
                numLatents,
                maxPromptLength,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                includePrompt,
                on,
                float16Steps);
    }

    /** A copy with float16 decoding steps on or off. */
    public SymbolicAudioOptions withFloat16Steps(boolean on) {
        return new SymbolicAudioOptions(
                maxNewTokens,
                numLatents,
                maxPromptLength,
                doSample,
                temperature,
                topK,
                topP,
                seed,
                includePrompt,
                useCache,
                on);
    }
}
