package dev.perceiver.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Module;
import dev.perceiver.position.RotaryPositionEmbedding;

/**
 * Pre-layer-norm cross-attention: {@code attention(q_norm(x_q), kv_norm(x_kv))}. In prefix mode (Perceiver AR) the
 * keys/values are {@code [kv_norm(x_kv_prefix), q_norm(x_q)]} along the sequence axis, so that the queries also
 * attend to themselves. Parameters: {@code q_norm, kv_norm, attention}.
 */
public final class CrossAttention extends Module {
    private final LayerNorm qNorm;
    private final LayerNorm kvNorm;
    private final MultiHeadAttention attention;

    public CrossAttention(NDManager manager, int numHeads, int numQInputChannels, int numKvInputChannels,
            Integer numQkChannels, Integer numVChannels, Integer maxHeadsParallel, boolean causalAttention,
            double dropout, boolean qkvBias, boolean outBias, double initScale) {
        super(manager);
        qNorm = child("q_norm", new LayerNorm(manager, numQInputChannels));
        kvNorm = child("kv_norm", new LayerNorm(manager, numKvInputChannels));
        attention = child("attention", new MultiHeadAttention(manager, numHeads, numQInputChannels,
                numKvInputChannels, numQkChannels, numVChannels, null, maxHeadsParallel, causalAttention, dropout,
                qkvBias, outBias, initScale));
    }

    /**
     * @param xQ queries (b, n, D)
     * @param xKv keys/values (b, m, C); null in prefix mode
     * @param xKvPrefix prefix (b, p, C) in prefix mode, else null
     * @return (b, n, D) and the updated cache if one was given
     */
    public AttentionOutput forward(NDArray xQ, NDArray xKv, NDArray xKvPrefix, NDArray padMask,
            RotaryPositionEmbedding rotQ, RotaryPositionEmbedding rotK, KvCache kvCache) {
        NDArray q = qNorm.forward(xQ);
        NDArray kv;
        if (xKv == null) {
            kv = kvNorm.forward(xKvPrefix).concat(q, 1);
        } else {
            kv = kvNorm.forward(xKv);
        }
        return attention.forward(q, kv, padMask, rotQ, rotK, kvCache);
    }

    public MultiHeadAttention attention() {
        return attention;
    }
}
