package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.Module;

/**
 * Self-attention followed by an MLP, each with a residual connection: (b, n, C) -> (b, n, C). Children {@code 0}
 * (Residual(SelfAttention)) and {@code 1} (Residual(MLP)).
 */
public final class SelfAttentionLayer extends Module {
    private final Residual<SelfAttention> attn;
    private final Residual<Mlp> mlp;

    public SelfAttentionLayer(
            NDManager manager,
            int numHeads,
            int numChannels,
            Integer numQkChannels,
            Integer numVChannels,
            Integer maxHeadsParallel,
            boolean causalAttention,
            int wideningFactor,
            double dropout,
            double residualDropout,
            boolean qkvBias,
            boolean outBias,
            boolean mlpBias,
            double initScale) {
        super(manager);
        attn = child(
                "0",
                new Residual<>(
                        manager,
                        new SelfAttention(
                                manager,
                                numHeads,
                                numChannels,
                                numQkChannels,
                                numVChannels,
                                maxHeadsParallel,
                                causalAttention,
                                dropout,
                                qkvBias,
                                outBias,
                                initScale),
                        residualDropout));
        mlp = child(
                "1",
                new Residual<>(
                        manager, new Mlp(manager, numChannels, wideningFactor, mlpBias, initScale), residualDropout));
    }

    /** (b, n, C) -> (b, n, C) and the updated cache if one was given. */
    public AttentionOutput forward(NDArray x, NDArray padMask, RotaryPositionEmbedding rot, KvCache kvCache) {
        AttentionOutput a = attn.module().forward(x, padMask, rot, kvCache);
        NDArray h = attn.add(x, a.lastHiddenState());
        return new AttentionOutput(mlp.add(h, mlp.module().forward(h)), a.kvCache());
    }

    /** An empty decoding cache for a batch of {@code b} with room for {@code capacity} positions. */
    public KvCache newKvCache(NDManager m, long b, long capacity) {
        return attn.module().attention().newKvCache(m, b, capacity);
    }
}
