package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Module;

/** Pre-layer-norm self-attention: (b, n, C) -> (b, n, C). Parameters: {@code norm, attention}. */
public final class SelfAttention extends Module {
    private final LayerNorm norm;
    private final MultiHeadAttention attention;

    public SelfAttention(
            NDManager manager,
            int numHeads,
            int numChannels,
            Integer numQkChannels,
            Integer numVChannels,
            Integer maxHeadsParallel,
            boolean causalAttention,
            double dropout,
            boolean qkvBias,
            boolean outBias,
            double initScale) {
        super(manager);
        norm = child("norm", new LayerNorm(manager, numChannels));
        attention = child(
                "attention",
                new MultiHeadAttention(
                        manager,
                        numHeads,
                        numChannels,
                        numChannels,
                        numQkChannels,
                        numVChannels,
                        null,
                        maxHeadsParallel,
                        causalAttention,
                        dropout,
                        qkvBias,
                        outBias,
                        initScale));
    }

    /** (b, n, C) -> (b, n, C); the same rotary embedding rotates queries and keys. */
    public AttentionOutput forward(NDArray x, NDArray padMask, RotaryPositionEmbedding rot, KvCache kvCache) {
        return attention.forwardSelf(norm.forward(x), padMask, rot, kvCache);
    }

    public MultiHeadAttention attention() {
        return attention;
    }
}
