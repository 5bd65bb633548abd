package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.FactoredInput;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Module;

/**
 * Pre-layer-norm cross-attention: {@code attention(q_norm(x_q), kv_norm(x_kv))}. In prefix mode (Perceiver AR) the
 * keys/values are {@code [kv_norm(x_kv_prefix), q_norm(x_q)]} along the sequence axis, so that the queries also
 * attend to themselves. Parameters: {@code q_norm, kv_norm, attention}.
 */
public final class CrossAttention extends Module {
    private final LayerNorm qNorm;
    private final LayerNorm kvNorm;
    private final MultiHeadAttention attention;

    /** @param spec attention options; num_output_channels must be unset (the output has num_q_input_channels) */
    public CrossAttention(NDManager manager, AttentionSpec spec) {
        super(manager);
        Checks.require(
                spec.numOutputChannels() == null,
                "num_output_channels (" + spec.numOutputChannels() + ") must be unset in cross-attention: the "
                        + "output has num_q_input_channels (" + spec.numQInputChannels() + ")");
        qNorm = child("q_norm", new LayerNorm(manager, spec.numQInputChannels()));
        kvNorm = child("kv_norm", new LayerNorm(manager, spec.numKvInputChannels()));
        attention = child("attention", new MultiHeadAttention(manager, spec));
    }

    /**
     * @param xQ queries (b, n, D)
     * @param xKv keys/values (b, m, C); null in prefix mode
     * @param xKvPrefix prefix (b, p, C) in prefix mode, else null; in prefix mode null means no prefix positions
     *        (the keys and values come from the queries and the cache)
     * @return (b, n, D) and the updated cache if one was given
     */
    public AttentionOutput forward(
            NDArray xQ,
            NDArray xKv,
            NDArray xKvPrefix,
            NDArray padMask,
            RotaryPositionEmbedding rotQ,
            RotaryPositionEmbedding rotK,
            KvCache kvCache) {
        NDArray q = qNorm.forward(xQ);
        NDArray kv;
        if (xKv == null) {
            kv = xKvPrefix == null || xKvPrefix.getShape().get(1) == 0
                    ? q
                    : kvNorm.forward(xKvPrefix).concat(q, 1);
        } else {
            kv = kvNorm.forward(xKv);
        }
        return attention.forward(q, kv, padMask, rotQ, rotK, kvCache);
    }

    /**
     * Cross-attention of queries (b, n, D) to a factored input (see {@link MultiHeadAttention#forwardFactored}):
     * the keys and values of the input are never formed.
     */
    public AttentionOutput forward(NDArray xQ, FactoredInput x, NDArray padMask) {
        NDArray q = attention.qProj().forward(qNorm.forward(xQ));
        return new AttentionOutput(
                attention.forwardFactored(q, FactoredLayerNormLinear.stats(x, kvNorm), padMask), null);
    }

    /** Keys and values of a plain input (b, M, C): {@code k_proj(kv_norm(x))}, {@code v_proj(kv_norm(x))}. */
    public KeyValues keyValues(NDArray x) {
        NDArray kv = kvNorm.forward(x);
        return new KeyValues(attention.kProj().forward(kv), attention.vProj().forward(kv));
    }

    /** Cross-attention of queries (b, n, D) to precomputed keys/values (see {@link #keyValues}). */
    public AttentionOutput forward(NDArray xQ, KeyValues keyValues, NDArray padMask) {
        NDArray q = attention.qProj().forward(qNorm.forward(xQ));
        return attention.forwardProjected(q, keyValues.k(), keyValues.v(), padMask, null, null, null);
    }

    /** The query norm (q_norm). */
    public LayerNorm qNorm() {
        return qNorm;
    }

    /** The key/value norm (kv_norm). */
    public LayerNorm kvNorm() {
        return kvNorm;
    }

    public MultiHeadAttention attention() {
        return attention;
    }
}
