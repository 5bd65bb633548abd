package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;

/** Output of an attention module or layer: the hidden state (b, n, c) and the updated kv cache (or null). */
public record AttentionOutput(NDArray lastHiddenState, KvCache kvCache) {}
