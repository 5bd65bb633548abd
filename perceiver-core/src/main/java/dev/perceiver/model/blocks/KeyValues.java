package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;

/**
 * Projected keys {@code k} (b, l, num_qk_channels) and values {@code v} (b, l, num_v_channels) of an attention
 * input, computed once and attended to by several queries (e.g. cross-attention layers that share weights).
 */
public record KeyValues(NDArray k, NDArray v) {}
