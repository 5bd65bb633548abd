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
import dev.perceiver.nn.Scopes;
import java.util.function.BiFunction;

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
    /**
     * With the automatic query chunk size, the most attention scores (float32 values) one chunk of queries forms in
     * training: 2^24 (64 MiB), e.g. 8,192 queries over 2,048 keys with one head. Training keeps every chunk's scores
     * for the backward pass, so smaller chunks would only add operations.
     */
    public static final long MAX_SCORES_PER_CHUNK = 1L << 24;

    /**
     * With the automatic query chunk size, the most attention scores (float32 values) one chunk of queries forms
     * outside training: 2^21 (8 MiB), e.g. 64 queries over 2,048 keys with 16 heads. Each chunk's temporaries are
     * freed before the next one, and at this size the C allocator (glibc's malloc, which libtorch's CPU allocator
     * calls) hands the freed blocks to the next chunk; a block above its largest mmap threshold (32 MiB) is
     * returned to the system on every free, and the next chunk pays a page fault for every 4 KiB page it writes
     * again (measured: a fresh 64 MiB block costs ~0.3 s to fill on the 2-core VM, a reused one ~3 ms).
     */
    public static final long MAX_INFERENCE_SCORES_PER_CHUNK = 1L << 21;

    private final int numHeads;
    private final int numQkChannels;
    private final int numVChannels;
    private final int maxHeadsParallel;
    private final boolean causalAttention;
    private final double dropout;
    private int queryChunkSize;
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
        long n = q.getShape().get(2);
        // a decoding cache or a causal mask ties queries to positions: those are never split
        long rows = kvCache != null || causalAttention
                ? n
                : chunkRows(
                        Math.max(q.getShape().get(0), kT.getShape().get(0)),
                        numHeads,
                        n,
                        kT.getShape().get(3));
        if (rows < n && kvCache == null) {
            // every chunk multiplies with all keys and values: lay them out head-major once, so that the batched
            // matrix products read them in place instead of copying the strided head views for each chunk
            kT = dense(k).transpose(0, 1, 3, 2);
            v = dense(v);
        }
        NDArray keep = mask;
        NDArray keysT = kT;
        NDArray values = v;
        NDArray qAll = q;
        return mergeHeads(inChunks(
                n, rows, (s, e) -> attendGroups(rows >= n ? qAll : Ops.narrow(qAll, 2, s, e), keysT, values, keep)));
    }

    /** Attention of queries (b, h, n, dk) in groups of at most {@code heads_in_parallel} heads: (b, h, n, dv). */
    private NDArray attendGroups(NDArray q, NDArray kT, NDArray v, NDArray mask) {
        if (maxHeadsParallel >= numHeads) {
            return attend(q, kT, v, mask);
        }
        NDList chunks = new NDList();
        for (int h = 0; h < numHeads; h += maxHeadsParallel) {
            int end = Math.min(numHeads, h + maxHeadsParallel);
            NDIndex idx = new NDIndex().addAllDim().addSliceDim(h, end);
            chunks.add(attend(q.get(idx), kT.get(idx), v.get(idx), mask));
        }
        return NDArrays.concat(chunks, 1);
    }

    /**
     * Queries per chunk for {@code n} queries of a batch of {@code b} attending to {@code l} keys with {@code heads}
     * heads: the set {@link #queryChunkSize()}, or with 0 (automatic) as many as keep one chunk's attention scores
     * (b x min(heads, heads_in_parallel) x rows x l values) within the budget of {@link #automaticChunkRows}; at
     * least 1.
     */
    private long chunkRows(long b, long heads, long n, long l) {
        if (queryChunkSize > 0) {
            return Math.min(n, queryChunkSize);
        }
        return automaticChunkRows(b * Math.min(heads, maxHeadsParallel) * l, n, isTraining());
    }

    /**
     * Query rows per chunk with the automatic chunk size: as many of the {@code n} rows as keep one chunk's scores
     * ({@code scoresPerRow} values per query row) within {@link #MAX_SCORES_PER_CHUNK} in training, else within
     * {@link #MAX_INFERENCE_SCORES_PER_CHUNK}; at least 1, at most n.
     */
    public static long automaticChunkRows(long scoresPerRow, long n, boolean training) {
        long budget = training ? MAX_SCORES_PER_CHUNK : MAX_INFERENCE_SCORES_PER_CHUNK;
        return Math.max(1, Math.min(n, budget / Math.max(1, scoresPerRow)));
    }

    /**
     * {@code chunk(start, end)} over query rows [0, n) in chunks of {@code rows}, concatenated along the query axis
     * (2) of the (b, h, rows, c) results. Outside training each chunk's temporaries are freed when it returns.
     */
    private NDArray inChunks(long n, long rows, BiFunction<Long, Long, NDArray> chunk) {
        if (rows >= n) {
            return chunk.apply(0L, n);
        }
        NDList parts = new NDList();
        for (long s = 0; s < n; s += rows) {
            long start = s;
            long end = Math.min(n, s + rows);
            parts.add(isTraining() ? chunk.apply(start, end) : Scopes.keep(() -> chunk.apply(start, end)));
        }
        return NDArrays.concat(parts, 2);
    }

    /** x as a dense row-major array of the same shape (a copy only when x is a strided view). */
    private static NDArray dense(NDArray x) {
        return x.reshape(-1).reshape(x.getShape());
    }

    /**
     * Queries per chunk of attention: {@code n > 0} splits the queries into chunks of at most n rows, each attending
     * to all keys on its own (queries are independent given the keys, so the result is the same up to float
     * rounding), which bounds the attention scores alive at once; 0 (the default) chooses the chunk size from
     * {@link #MAX_SCORES_PER_CHUNK} in training, {@link #MAX_INFERENCE_SCORES_PER_CHUNK} outside it. Causal
     * attention and attention with a decoding cache are never split.
     */
    public void setQueryChunkSize(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("query_chunk_size (" + n + ") must be >= 0 (0 = automatic)");
        }
        queryChunkSize = n;
    }

    /** Queries per chunk of attention, or 0 for automatic (see {@link #setQueryChunkSize}). */
    public int queryChunkSize() {
        return queryChunkSize;
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
        long n = q.getShape().get(2);
        long rows = chunkRows(Math.max(b, q.getShape().get(0)), h, n, m);
        Factored f = new Factored(
                p,
                x.reciprocalStd().reshape(b, 1, 1, m),
                x.mean().reshape(b, 1, 1, m),
                dense(k.shared().reshape(m, h, dk).transpose(1, 2, 0)),
                k.perExample().reshape(h, dk, p.getShape().get(2)),
                k.normWeight().reshape(h, dk, 1),
                dense(p.transpose(0, 2, 1).expandDims(1)),
                dense(v.perExample().reshape(h, dv, p.getShape().get(2)).transpose(0, 2, 1)),
                dense(v.shared().reshape(m, h, dv).transpose(1, 0, 2)),
                v.normWeight().reshape(h, 1, dv),
                v.constant().reshape(h, 1, dv));
        NDArray keepMask = attentionMask(n, m, padMask, q.getManager());
        NDArray keep = keepMask == null ? null : keepMask.logicalNot();
        NDArray qAll = q;
        NDArray o = inChunks(n, rows, (s, e) -> attendFactored(rows >= n ? qAll : Ops.narrow(qAll, 2, s, e), f, keep));
        return oProj.forward(mergeHeads(o)); // (b, n, num_output_channels)
    }

    /** The factored input's arrays {@link #attendFactored} uses, formed once for all chunks of queries. */
    private record Factored(
            NDArray p, // (b, M, c1)
            NDArray r, // (b, 1, 1, M)
            NDArray mu, // (b, 1, 1, M)
            NDArray kShared, // (h, dk, M)
            NDArray kPerExample, // (h, dk, c1)
            NDArray kNormWeight, // (h, dk, 1)
            NDArray pT, // (b, 1, c1, M)
            NDArray vPerExampleT, // (h, c1, dv)
            NDArray vShared, // (h, M, dv)
            NDArray vNormWeight, // (h, 1, dv)
            NDArray vConstant) {} // (h, 1, dv)

    /** Factored attention of scaled queries q (bq, h, n, dk) before the output projection: (b, h, n, dv). */
    private NDArray attendFactored(NDArray q, Factored f, NDArray keep) {
        long c1 = f.p().getShape().get(2);
        NDArray qE = q.matMul(f.kShared()); // (bq, h, n, M)
        NDArray qA = q.matMul(f.kPerExample()); // (bq, h, n, c1)
        NDArray qg = q.matMul(f.kNormWeight()); // (bq, h, n, 1)
        NDArray pTerm = c1 == 1 ? qA.mul(f.pT()) : qA.matMul(f.pT()); // (b, h, n, M)
        NDArray logits = qE.add(pTerm).sub(f.mu().mul(qg)).mul(f.r());
        NDArray attn = probabilities(logits, keep); // (b, h, n, M)
        NDArray w = attn.mul(f.r());
        NDArray wp = c1 == 1 ? w.mul(f.pT()).sum(new int[] {-1}, true) : w.matMul(f.p().expandDims(1)); // (b, h, n, c1)
        return wp.matMul(f.vPerExampleT()) // (b, h, n, dv)
                .add(w.matMul(f.vShared()))
                .sub(w.mul(f.mu()).sum(new int[] {-1}, true).mul(f.vNormWeight()))
                .add(attn.sum(new int[] {-1}, true).mul(f.vConstant()));
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
