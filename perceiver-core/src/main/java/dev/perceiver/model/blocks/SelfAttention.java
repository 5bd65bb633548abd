package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Module;

/** Pre-layer-norm self-attention: (b, n, C) -> (b, n, C). Parameters: {@code norm, attention}. */
public final class SelfAttention extends Module {
    private final LayerNorm norm;
    private final MultiHeadAttention attention;

    /**
     * @param spec attention options; num_kv_input_channels must equal num_q_input_channels (C, see
     *     {@link AttentionSpec.Builder#numChannels}) and num_output_channels must be unset
     */
    public SelfAttention(NDManager manager, AttentionSpec spec) {
        super(manager);
        Checks.require(
                spec.numKvInputChannels() == spec.numQInputChannels(),
                "num_kv_input_channels (" + spec.numKvInputChannels() + ") must equal num_q_input_channels ("
                        + spec.numQInputChannels() + ") in self-attention");
        Checks.require(
                spec.numOutputChannels() == null,
                "num_output_channels (" + spec.numOutputChannels() + ") must be unset in self-attention: the output "
                        + "has num_channels (" + spec.numQInputChannels() + ")");
        norm = child("norm", new LayerNorm(manager, spec.numQInputChannels()));
        attention = child("attention", new MultiHeadAttention(manager, spec));
    }

    /** (b, n, C) -> (b, n, C); the same rotary embedding rotates queries and keys. */
    public AttentionOutput forward(NDArray x, NDArray padMask, RotaryPositionEmbedding rot, KvCache kvCache) {
        NDArray h = norm.forward(x);
        return attention.forward(h, h, padMask, rot, rot, kvCache);
    }

    /** The layer norm (norm). */
    public LayerNorm norm() {
        return norm;
    }

    public MultiHeadAttention attention() {
        return attention;
    }
}
