package dev.perceiver.inference.engine;

import ai.djl.ndarray.NDArray;
import dev.perceiver.model.CausalSequenceModel;

/**
 * The full-sequence forward pass (no kv cache) of a Perceiver AR model ({@link CausalSequenceModel}: causal LM,
 * symbolic audio) on one engine (see {@link ModelRunners#openCausal}), as
 * {@link CausalSequenceModel#forwardLogits}{@code (x, prefix_len, pad_mask, null)} defines it. Results belong to the
 * input's manager. Not thread-safe.
 */
public interface CausalModelRunner extends AutoCloseable {
    /**
     * @param x token ids (b, n) int64
     * @param prefixLen 0 <= prefix_len < n and <= max_prefix_len
     * @param padMask (b, n) boolean, true = left padding, or null
     * @return logits (b, n - prefix_len, vocab_size) and the hidden state (b, n - prefix_len, C); no cache
     */
    CausalSequenceModel.LmOutput forward(NDArray x, int prefixLen, NDArray padMask);

    /** The engine that runs the forward pass (never AUTO). */
    Engine engine();

    /** Releases the engine's resources (not the model's). */
    @Override
    void close();
}
