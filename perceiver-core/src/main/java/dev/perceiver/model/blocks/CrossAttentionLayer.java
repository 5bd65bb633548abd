package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.FactoredInput;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.Module;

/**
 * Cross-attention followed by an MLP, each with a residual connection (the attention residual can be switched off
 * with {@code attention_residual=false}, as in the optical-flow decoder): (b, n, D) x (b, m, C) -> (b, n, D).
 * Children {@code 0} (Residual(CrossAttention) or CrossAttention) and {@code 1} (Residual(MLP)).
 */
public final class CrossAttentionLayer extends Module {
    private final Residual<CrossAttention> attnResidual;
    private final CrossAttention attn;
    private final Residual<Mlp> mlp;

    /** @param spec layer options; attention_residual false leaves out the attention's residual connection */
    public CrossAttentionLayer(NDManager manager, AttentionLayerSpec spec) {
        super(manager);
        AttentionSpec a = spec.attention();
        CrossAttention ca = new CrossAttention(manager, a);
        if (spec.attentionResidual()) {
            attnResidual = child("0", new Residual<>(manager, ca, spec.residualDropout()));
        } else {
            attnResidual = null;
            child("0", ca);
        }
        attn = ca;
        mlp = child(
                "1",
                new Residual<>(
                        manager,
                        new Mlp(manager, a.numQInputChannels(), spec.wideningFactor(), spec.mlpBias(), a.initScale()),
                        spec.residualDropout()));
    }

    /** See {@link CrossAttention#forward}; returns (b, n, D) and the updated cache. */
    public AttentionOutput forward(
            NDArray xQ,
            NDArray xKv,
            NDArray xKvPrefix,
            NDArray padMask,
            RotaryPositionEmbedding rotQ,
            RotaryPositionEmbedding rotK,
            KvCache kvCache) {
        AttentionOutput a = attn.forward(xQ, xKv, xKvPrefix, padMask, rotQ, rotK, kvCache);
        return new AttentionOutput(residualAndMlp(xQ, a), a.kvCache());
    }

    /** Convenience for Perceiver IO: queries (b, n, D) attend to x_kv (b, m, C) with an optional pad mask. */
    public NDArray forward(NDArray xQ, NDArray xKv, NDArray padMask) {
        return forward(xQ, xKv, null, padMask, null, null, null).lastHiddenState();
    }

    /** Queries (b, n, D) attend to precomputed keys/values of the input (see {@link CrossAttention#keyValues}). */
    public NDArray forward(NDArray xQ, KeyValues keyValues, NDArray padMask) {
        return residualAndMlp(xQ, attn.forward(xQ, keyValues, padMask));
    }

    /** Queries (b, n, D) attend to a factored input (see {@link CrossAttention#forward(NDArray, FactoredInput,
     * NDArray)}). */
    public NDArray forward(NDArray xQ, FactoredInput x, NDArray padMask) {
        return residualAndMlp(xQ, attn.forward(xQ, x, padMask));
    }

    /** The attention residual (if any) and the residual MLP after the cross-attention of queries xQ. */
    private NDArray residualAndMlp(NDArray xQ, AttentionOutput a) {
        NDArray h = attnResidual == null ? a.lastHiddenState() : attnResidual.add(xQ, a.lastHiddenState());
        return mlp.add(h, mlp.module().forward(h));
    }

    public CrossAttention crossAttention() {
        return attn;
    }

    /** The residual connection around the cross-attention (0), or null without one (attention_residual false). */
    public Residual<CrossAttention> attentionResidual() {
        return attnResidual;
    }

    /** The residual MLP (1). */
    public Residual<Mlp> mlp() {
        return mlp;
    }

    /** An empty decoding cache for a batch of {@code b} with room for {@code capacity} positions. */
    public KvCache newKvCache(NDManager m, long b, long capacity) {
        return attn.attention().newKvCache(m, b, capacity);
    }
}
