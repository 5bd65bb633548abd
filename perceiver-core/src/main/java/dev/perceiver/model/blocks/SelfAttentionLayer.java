package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Module;

/**
 * Self-attention followed by an MLP, each with a residual connection: (b, n, C) -> (b, n, C). Children {@code 0}
 * (Residual(SelfAttention)) and {@code 1} (Residual(MLP)).
 */
public final class SelfAttentionLayer extends Module {
    private final Residual<SelfAttention> attn;
    private final Residual<Mlp> mlp;

    /** @param spec layer options (attention_residual must be true: a self-attention layer always has one) */
    public SelfAttentionLayer(NDManager manager, AttentionLayerSpec spec) {
        super(manager);
        Checks.require(spec.attentionResidual(), "attention_residual (false) must be true in a self-attention layer");
        AttentionSpec a = spec.attention();
        attn = child("0", new Residual<>(manager, new SelfAttention(manager, a), spec.residualDropout()));
        mlp = child(
                "1",
                new Residual<>(
                        manager,
                        new Mlp(manager, a.numQInputChannels(), spec.wideningFactor(), spec.mlpBias(), a.initScale()),
                        spec.residualDropout()));
    }

    /** (b, n, C) -> (b, n, C) and the updated cache if one was given. */
    public AttentionOutput forward(NDArray x, NDArray padMask, RotaryPositionEmbedding rot, KvCache kvCache) {
        AttentionOutput a = attn.module().forward(x, padMask, rot, kvCache);
        NDArray h = attn.add(x, a.lastHiddenState());
        return new AttentionOutput(mlp.add(h, mlp.module().forward(h)), a.kvCache());
    }

    /** The residual self-attention (0). */
    public Residual<SelfAttention> selfAttention() {
        return attn;
    }

    /** The residual MLP (1). */
    public Residual<Mlp> mlp() {
        return mlp;
    }

    /** An empty decoding cache for a batch of {@code b} with room for {@code capacity} positions. */
    public KvCache newKvCache(NDManager m, long b, long capacity) {
        return attn.module().attention().newKvCache(m, b, capacity);
    }
}
