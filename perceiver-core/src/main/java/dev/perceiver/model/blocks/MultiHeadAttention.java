package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Ops;

/**
 * Multi-head scaled dot-product attention (Perceiver IO, appendix E) with optional rotary embedding of queries and
 * keys, causal masking and a kv cache, as the reference computes it: the projections q_proj(x_q), k_proj(x_kv) and
 * v_proj(x_kv), then attention, then o_proj. Queries x_q (b, n, num_q_input_channels) attend to keys/values x_kv
 * (b, l, num_kv_input_channels); output (b, n, num_output_channels). Parameters: {@code q_proj, k_proj, v_proj,
 * o_proj}.
 *
 * <p>Causal masking right-aligns queries and keys: query i (of n) may see key j (of l) when j <= i + l - n.
 */
public final class MultiHeadAttention extends Module {
    private final int numHeads;
    private final int numQkChannels;
    private final int numVChannels;
    private final int maxHeadsParallel;
    private final boolean causalAttention;
    private final double dropout;
    /**
     * The dot-product scale 1 / sqrt(channels per head) as a 0-dimensional array owned by the module's manager,
     * made once (an owned array, not a Java number: autograd keeps it for the backward pass, see {@link Ops#scalar}).
     */
    private final NDArray dpScaleArray;

    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;

    public MultiHeadAttention(NDManager manager, AttentionSpec spec) {
        super(manager);
        this.numHeads = spec.numHeads();
        this.numQkChannels = spec.qkChannels();
        this.numVChannels = spec.vChannels();
        this.maxHeadsParallel = spec.headsInParallel();
        this.causalAttention = spec.causalAttention();
        this.dropout = spec.dropout();
        this.dpScaleArray = Ops.scalar(manager, (float) Math.pow(numQkChannels / numHeads, -0.5));
        ai.djl.ndarray.NDScope.unregister(dpScaleArray);
        double init = spec.initScale();
        qProj = child("q_proj", new Linear(manager, spec.numQInputChannels(), numQkChannels, spec.qkvBias(), init));
        kProj = child("k_proj", new Linear(manager, spec.numKvInputChannels(), numQkChannels, spec.qkvBias(), init));
        vProj = child("v_proj", new Linear(manager, spec.numKvInputChannels(), numVChannels, spec.qkvBias(), init));
        oProj = child("o_proj", new Linear(manager, numVChannels, spec.outputChannels(), spec.outBias(), init));
    }

    /**
     * @param xQ queries (b, n, num_q_input_channels)
     * @param xKv keys/values (b, l, num_kv_input_channels)
     * @param padMask boolean (b, l_total), true = padding key to ignore; l_total includes cached positions; or null
     * @param rotQ rotary embedding applied to the queries, or null
     * @param rotK rotary embedding applied to the keys, or null
     * @param kvCache cached keys/values of earlier positions, prepended to this call's and extended by them in place;
     *        or null
     * @return output (b, n, num_output_channels) and the cache (or null)
     */
    public AttentionOutput forward(
            NDArray xQ,
            NDArray xKv,
            NDArray padMask,
            RotaryPositionEmbedding rotQ,
            RotaryPositionEmbedding rotK,
            KvCache kvCache) {
        return forwardProjected(
                qProj.forward(xQ), kProj.forward(xKv), vProj.forward(xKv), padMask, rotQ, rotK, kvCache);
    }

    /**
     * Attention of already projected queries q (b, n, num_qk_channels), keys k (b, l, num_qk_channels) and values v
     * (b, l, num_v_channels), followed by the output projection; other arguments as {@link #forward}.
     */
    public AttentionOutput forwardProjected(
            NDArray q,
            NDArray k,
            NDArray v,
            NDArray padMask,
            RotaryPositionEmbedding rotQ,
            RotaryPositionEmbedding rotK,
            KvCache kvCache) {
        q = splitHeads(q).mul(dpScaleArray);
        k = splitHeads(k);
        v = splitHeads(v);
        if (rotQ != null) {
            q = rotQ.rotate(q);
        }
        if (rotK != null) {
            k = rotK.rotate(k);
        }
        return new AttentionOutput(oProj.forward(attendHeads(q, k, v, padMask, kvCache)), kvCache);
    }

    /**
     * Attention of scaled and rotated queries q (b, h, n, dk) to rotated keys k (b, h, l, dk) and values v
     * (b, h, l, dv), preceded by the cached keys and values when a cache is given (the new ones are appended to it),
     * before the output projection: (b, n, num_v_channels). {@code padMask} as in {@link #forward}.
     */
    public NDArray attendHeads(NDArray q, NDArray k, NDArray v, NDArray padMask, KvCache kvCache) {
        NDArray kT;
        if (kvCache != null) {
            // keys are cached after rotation: a key's rotation depends only on its own position
            kvCache.append(k, v);
            kT = kvCache.keysTransposed();
            v = kvCache.values();
        } else {
            kT = k.transpose(0, 1, 3, 2);
        }
        NDArray mask = attentionMask(q.getShape().get(2), kT.getShape().get(3), padMask, q.getManager());
        if (mask != null) {
            mask = mask.logicalNot();
        }
        NDArray o;
        if (maxHeadsParallel >= numHeads) {
            o = attend(q, kT, v, mask);
        } else {
            NDList chunks = new NDList();
            for (int h = 0; h < numHeads; h += maxHeadsParallel) {
                int end = Math.min(numHeads, h + maxHeadsParallel);
                NDIndex idx = new NDIndex().addAllDim().addSliceDim(h, end);
                chunks.add(attend(q.get(idx), kT.get(idx), v.get(idx), mask));
            }
            o = NDArrays.concat(chunks, 1);
        }
        return mergeHeads(o);
    }

    /** Attention of one group of heads, keys transposed (b, h, dk, l); {@code mask} (true = attend) may be null. */
    private NDArray attend(NDArray q, NDArray kT, NDArray v, NDArray mask) {
        return probabilities(q.matMul(kT), mask).matMul(v);
    }

    /** Masked softmax of logits (b, h, i, j) plus attention dropout; {@code keep} (true = attend) may be null. */
    private NDArray probabilities(NDArray logits, NDArray keep) {
        NDArray attn = logits;
        if (keep != null) {
            // masked_fill: keep the logit where the mask is false, else the most negative float
            attn = attn.getNDArrayInternal()
                    .where(keep.broadcast(attn.getShape()), Ops.scalar(attn.getManager(), -Float.MAX_VALUE));
        }
        attn = attn.softmax(-1);
        return Ops.dropout(attn, dropout, isTraining());
    }

    /**
     * Cross-attention of queries q (b_q, n, num_qk_channels; already normalised and projected) to the keys and
     * values of a factored input x = [p (b, M, C1), e (M, C2)] normalised by {@code kvNorm}, without forming the
     * (b, M, channels) keys and values. With per-position statistics mu, r = 1/std of x and the folded weights
     * A = W_p * g_p (F, C1), E = (e * g_e) W_e^T (M, F), gW = W g, c = W beta + bias, the keys are
     * {@code k = r (p A^T + E - mu gW) + c}, so per head
     *
     * <pre>
     * logits = r * ((q A) p^T + q E^T - mu (q gW))        (q c is constant per query and cancels in the softmax)
     * output = (w p) A_v^T + w E_v - (w mu) gW_v + (sum attn) c_v,   w = attn * r
     * </pre>
     *
     * The cost is that of the attention itself, O(b h n M d), instead of the O(b M C F) key/value projections.
     * Equal to {@code forward(q_in, materialized x)} up to float rounding. Not for causal attention.
     *
     * @param q projected queries before the head split
     * @return output (b, n, num_output_channels)
     */
    public NDArray forwardFactored(NDArray q, FactoredLayerNormLinear.Stats x, NDArray padMask) {
        if (causalAttention) {
            throw new IllegalStateException("factored keys/values are not supported with causal attention");
        }
        q = splitHeads(q).mul(dpScaleArray); // (bq, h, n, dk)
        long m = x.numPositions();
        FactoredLayerNormLinear.Folded k = x.fold(kProj);
        FactoredLayerNormLinear.Folded v = x.fold(vProj);
        long h = numHeads;
        long dk = numQkChannels / numHeads;
        long dv = numVChannels / numHeads;
        NDArray p = x.perExample(); // (b, M, c1)
        long b = p.getShape().get(0);
        long c1 = p.getShape().get(2);
        NDArray r = x.reciprocalStd().reshape(b, 1, 1, m); // (b, 1, 1, M)
        NDArray mu = x.mean().reshape(b, 1, 1, m); // (b, 1, 1, M)

        NDArray qE = q.matMul(k.shared().reshape(m, h, dk).transpose(1, 2, 0)); // (bq, h, n, M)
        NDArray qA = q.matMul(k.perExample().reshape(h, dk, c1)); // (bq, h, n, c1)
        NDArray qg = q.matMul(k.normWeight().reshape(h, dk, 1)); // (bq, h, n, 1)
        NDArray pT = p.transpose(0, 2, 1).expandDims(1); // (b, 1, c1, M)
        NDArray pTerm = c1 == 1 ? qA.mul(pT) : qA.matMul(pT); // (b, h, n, M)
        NDArray logits = qE.add(pTerm).sub(mu.mul(qg)).mul(r);

        NDArray keep = attentionMask(q.getShape().get(2), m, padMask, q.getManager());
        NDArray attn = probabilities(logits, keep == null ? null : keep.logicalNot()); // (b, h, n, M)
        NDArray w = attn.mul(r);
        NDArray pe = p.expandDims(1); // (b, 1, M, c1)
        NDArray wp = c1 == 1 ? w.mul(pT).sum(new int[] {-1}, true) : w.matMul(pe); // (b, h, n, c1)
        NDArray o = wp.matMul(v.perExample().reshape(h, dv, c1).transpose(0, 2, 1)) // (b, h, n, dv)
                .add(w.matMul(v.shared().reshape(m, h, dv).transpose(1, 0, 2)))
                .sub(w.mul(mu).sum(new int[] {-1}, true).mul(v.normWeight().reshape(h, 1, dv)))
                .add(attn.sum(new int[] {-1}, true).mul(v.constant().reshape(h, 1, dv)));
        return oProj.forward(mergeHeads(o));
    }

    /** Boolean mask broadcastable to (b, h, i, j), true = masked; null when nothing is masked. */
    private NDArray attentionMask(long i, long j, NDArray padMask, NDManager m) {
        NDArray mask = null;
        if (padMask != null) {
            if (padMask.getShape().dimension() != 2 || padMask.getShape().get(1) != j) {
                throw new IllegalArgumentException(
                        "pad_mask shape " + padMask.getShape() + " does not match the number of keys (" + j + ")");
            }
            long b = padMask.getShape().get(0);
            mask = padMask.toType(DataType.BOOLEAN, false).reshape(b, 1, 1, j);
        }
        if (causalAttention && i > 1) {
            // with one query (a decoding step) the right-aligned causal mask hides nothing
            NDArray rows = m.arange(0, i, 1, DataType.INT64).reshape(i, 1);
            NDArray cols = m.arange(0, j, 1, DataType.INT64).reshape(1, j);
            NDArray causal = cols.sub(rows).gte(j - i + 1);
            mask = mask == null ? causal : mask.logicalOr(causal);
        }
        return mask;
    }

    /** (b, n, h*c) -> (b, h, n, c). */
    private NDArray splitHeads(NDArray x) {
        long[] s = x.getShape().getShape();
        if (s[1] == 1) {
            return x.reshape(s[0], numHeads, 1, s[2] / numHeads);
        }
        return x.reshape(s[0], s[1], numHeads, s[2] / numHeads).transpose(0, 2, 1, 3);
    }

    /** (b, h, n, c) -> (b, n, h*c). */
    private static NDArray mergeHeads(NDArray x) {
        long[] s = x.getShape().getShape();
        if (s[2] == 1) {
            return x.reshape(s[0], 1, s[1] * s[3]);
        }
        return x.transpose(0, 2, 1, 3).reshape(s[0], s[2], s[1] * s[3]);
    }

    /**
     * An empty decoding cache for a batch of {@code b} with room for {@code capacity} positions before it grows.
     */
    public KvCache newKvCache(NDManager m, long b, long capacity) {
        return KvCache.allocate(m, b, numHeads, numQkChannels / numHeads, numVChannels / numHeads, capacity);
    }

    /** Query projection (q_proj). */
    public Linear qProj() {
        return qProj;
    }

    /** Key projection (k_proj). */
    public Linear kProj() {
        return kProj;
    }

    /** Value projection (v_proj). */
    public Linear vProj() {
        return vProj;
    }

    /** Output projection (o_proj). */
    public Linear oProj() {
        return oProj;
    }

    /** The dot-product scale 1 / sqrt(num_qk_channels / num_heads), a 0-dimensional float32 array. */
    public NDArray dotProductScale() {
        return dpScaleArray;
    }

    public int numHeads() {
        return numHeads;
    }

    public int numQkChannels() {
        return numQkChannels;
    }

    public int numVChannels() {
        return numVChannels;
    }
}
