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

    /** Left padding of each prompt, as seen by the first call; null before it. */
    long[] padding() {
        return padding;
    }

    /** Records a call of {@code n} new tokens; the first call also records the prompts' left padding. */
    void advance(long n, long[] promptPadding) {
        if (seen == 0) {
            padding = promptPadding;
        }
        seen += n;
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
