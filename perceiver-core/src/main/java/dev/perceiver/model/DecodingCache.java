package dev.perceiver.model;

import dev.perceiver.model.blocks.KvCache;
import java.util.List;

/**
 * The state that incremental decoding with a {@link PerceiverAR} model carries from one call to the next: the kv
 * cache of the cross-attention layer (every window position) and of each self-attention layer (latent positions),
 * and the position bookkeeping of the rotary embeddings.
 *
 * <p>Cached keys keep the rotation they got when they were computed, so the rotary positions of all tokens must stay
 * in one frame for the whole generation: token t of sequence r (t counts every token the cache has seen, the prompt's
 * left padding included) has rotary position {@code t - pad_r}, pad_r being the left padding of the prompt. This is
 * the reference's position as long as the window has not slid past the padding; after that, the reference shifts
 * every position of the window by the same amount, which leaves every query-key angle difference, and so every
 * attention logit, unchanged.
 *
 * <p>Create one with {@link PerceiverAR#newDecodingCache}, pass it to every call of
 * {@link PerceiverAR#forward(ai.djl.ndarray.NDArray, int, ai.djl.ndarray.NDArray, DecodingCache)}, and close it.
 */
public final class DecodingCache implements AutoCloseable {
    private final KvCache crossAttention;
    private final List<KvCache> selfAttention;
    private long[] padding;
    private long seen;

    DecodingCache(KvCache crossAttention, List<KvCache> selfAttention) {
        this.crossAttention = crossAttention;
        this.selfAttention = List.copyOf(selfAttention);
    }

    /** The cache of the cross-attention layer: keys and values of every window position. */
    public KvCache crossAttention() {
        return crossAttention;
    }

    /** The caches of the self-attention layers (latent positions), one per layer. */
    public List<KvCache> selfAttention() {
        return selfAttention;
    }

    /** Whether no call has filled the cache yet (the next call processes a prompt). */
    public boolean isEmpty() {
        return seen == 0;
    }

    /** Number of tokens processed so far per sequence (the index of the next token). */
    public long seen() {
        return seen;
    }

    /** Records a call of {@code n} new tokens; the first call also records the prompts' left padding. */
    void advance(long n, long[] promptPadding) {
        if (seen == 0) {
            padding = promptPadding;
        }
        seen += n;
    }

    /**
     * Records a decoding step of {@code n} new tokens per sequence, after their keys and values were appended.
     *
     * @throws IllegalStateException when no prompt has filled the cache yet
     */
    public void advance(long n) {
        requireFilled();
        seen += n;
    }

    /**
     * Positions of the absolute position embedding for the next {@code nNew} tokens of each sequence, (b, n_new) in
     * row-major order: the reference's window positions, which count from the first real token inside the window
     * of cached positions.
     */
    public long[] absolutePositions(int nNew) {
        requireFilled();
        long windowStart = seen - crossAttention.length();
        long[] pos = new long[padding.length * nNew];
        for (int r = 0; r < padding.length; r++) {
            for (int j = 0; j < nNew; j++) {
                pos[r * nNew + j] = Math.max(0, seen + j - Math.max(windowStart, padding[r]));
            }
        }
        return pos;
    }

    /**
     * Rotary positions for the next {@code nNew} tokens of each sequence, (b, n_new) in row-major order: the running
     * frame of this cache, {@code t - pad_r} (see the class comment).
     */
    public long[] rotaryPositions(int nNew) {
        requireFilled();
        long[] pos = new long[padding.length * nNew];
        for (int r = 0; r < padding.length; r++) {
            for (int j = 0; j < nNew; j++) {
                pos[r * nNew + j] = Math.max(0, seen + j - padding[r]);
            }
        }
        return pos;
    }

    private void requireFilled() {
        if (seen == 0) {
            throw new IllegalStateException("the decoding cache is empty: the prompt must be processed first");
        }
    }

    /**
     * Cuts the caches to the window, as the reference does before a decoding step: the cross-attention cache to its
     * right-most {@code maxCrossAttention} positions, each self-attention cache to its right-most
     * {@code maxSelfAttention}.
     */
    public void keepLast(long maxCrossAttention, long maxSelfAttention) {
        crossAttention.keepLast(maxCrossAttention);
        for (KvCache c : selfAttention) {
            c.keepLast(maxSelfAttention);
        }
    }

    /** Frees the cache storage. */
    @Override
    public void close() {
        crossAttention.close();
        for (KvCache c : selfAttention) {
            c.close();
        }
    }
}
