package dev.perceiver.blocks;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of earlier positions of one attention layer, before the split into heads: {@code k} of shape
 * (b, n, num_qk_channels), {@code v} of shape (b, n, num_v_channels).
 */
public record KvCache(NDArray k, NDArray v) {
    /** Number of cached positions. */
    public long length() {
        return k.getShape().get(1);
    }
}
