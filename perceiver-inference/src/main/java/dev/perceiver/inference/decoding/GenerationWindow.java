package dev.perceiver.inference.decoding;

import dev.perceiver.model.config.PerceiverARConfig;

/**
 * The reference's rules for the Perceiver AR window during generation. The prompt (padded length n) starts with
 * {@code num_latents} latent positions at its end and a prefix of n - num_latents positions. Each new token first
 * adds a latent position until {@code max_latents} is reached, then a prefix position until
 * {@code max_prefix_len} is reached; after that the window of {@code max_seq_len} positions slides, dropping the
 * left-most prefix position.
 *
 * <p>With key/value caches this means: the self-attention caches keep at most max_latents - 1 positions before a
 * step and the cross-attention cache at most max_seq_len - 1 positions.
 */
public final class GenerationWindow {
    private final int maxSeqLen;
    private final int maxLatents;
    private final int maxPrefixLen;
    private final int promptLen;
    private final int initialPrefixLen;

    /**
     * Validates a prompt length and an initial number of latents against the model, with the reference's errors.
     *
     * @param promptLen padded prompt length, in [1, max_seq_len]
     * @param numLatents initial latents, in [1, max_latents]; more than the prompt length means the whole prompt;
     *        the resulting prefix must not exceed max_prefix_len
     */
    public GenerationWindow(PerceiverARConfig config, int promptLen, int numLatents) {
        this.maxSeqLen = config.maxSeqLen();
        this.maxLatents = config.maxLatents();
        this.maxPrefixLen = config.maxPrefixLen();
        if (promptLen < 1 || promptLen > maxSeqLen) {
            throw new IllegalArgumentException("input sequence length (" + promptLen + ") out of valid range [1.."
                    + maxSeqLen + "] (max_seq_len)");
        }
        if (numLatents < 1 || numLatents > maxLatents) {
            throw new IllegalArgumentException(
                    "num_latents=" + numLatents + " out of valid range [1.." + maxLatents + "] (max_latents)");
        }
        int latents = Math.min(promptLen, numLatents);
        int prefix = promptLen - latents;
        if (prefix > maxPrefixLen) {
            int minLatents = latents + prefix - maxPrefixLen;
            throw new IllegalArgumentException("num_latents=" + numLatents + ": for given sequence of length="
                    + promptLen + ", num_latents must be in range [" + minLatents + ".." + maxLatents
                    + "] (max_prefix_len " + maxPrefixLen + ")");
        }
        this.promptLen = promptLen;
        this.initialPrefixLen = prefix;
    }

    /** Prefix length of the first forward pass over the prompt. */
    public int initialPrefixLen() {
        return initialPrefixLen;
    }

    /** Largest number of cached self-attention positions kept before a step: max_latents - 1. */
    public int maxSelfAttentionCache() {
        return maxLatents - 1;
    }

    /** Largest number of cached cross-attention positions kept before a step: max_seq_len - 1. */
    public int maxCrossAttentionCache() {
        return maxSeqLen - 1;
    }

    /** Number of positions the model sees when the whole sequence has {@code totalLen} tokens. */
    public int windowLength(int totalLen) {
        return Math.min(totalLen, maxSeqLen);
    }

    /**
     * Prefix length of a full forward pass over the window when the whole sequence (prompt and generated tokens)
     * has {@code totalLen} tokens: latents grow from num_latents to max_latents, then the prefix grows to
     * max_prefix_len, then the window slides.
     */
    public int prefixLen(int totalLen) {
        if (totalLen < promptLen) {
            throw new IllegalArgumentException(
                    "total length (" + totalLen + ") must be >= the prompt length (" + promptLen + ")");
        }
        int latents = Math.min(maxLatents, totalLen - initialPrefixLen);
        return windowLength(totalLen) - latents;
    }
}
