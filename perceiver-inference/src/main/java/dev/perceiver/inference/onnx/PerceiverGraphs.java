package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.onnx.OnnxGraph.Attribute;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.blocks.CrossAttention;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.blocks.Mlp;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.blocks.SelfAttention;
import dev.perceiver.model.blocks.SelfAttentionBlock;
import dev.perceiver.model.blocks.SelfAttentionLayer;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Linear;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Perceiver IO blocks as ONNX nodes, computed the way this project computes them rather than as a trace of the
 * reference would: one fused q/k/v (self-attention) or k/v (cross-attention) product, the dot-product scale folded
 * into the query weights, queries that do not depend on the input (latents of the first cross-attention, decoder
 * queries) projected once at export, and the keys and values of a factored input (pixels plus a fixed position
 * encoding) formed without the (b, M, C) x (C, F) products (see {@link #factoredKeyValues}); in self-attention the
 * key bias dropped and the value bias folded into the output bias (exact: softmax weights sum to 1).
 */
final class PerceiverGraphs {
    private final GraphOps ops;
    private final OnnxGraph g;
    private final boolean boundedMemory;
    private final Map<MultiHeadAttention, SelfAttentionWeights> selfAttentionWeights = new IdentityHashMap<>();

    PerceiverGraphs(GraphOps ops) {
        this(ops, false);
    }

    /**
     * With {@code boundedMemory}, a cross-attention layer over an input of a known number of positions (a factored
     * input) attends in chunks of queries, as the module does outside training (see {@link #rowsPerChunk}), so that
     * the graph never holds all (b, h, n, M) scores at once.
     */
    PerceiverGraphs(GraphOps ops, boolean boundedMemory) {
        this.ops = ops;
        this.g = ops.graph();
        this.boundedMemory = boundedMemory;
    }

    /** The attention of one cross-attention layer to its (b, M, C) input, given in some form. */
    interface KeyValueSource {
        /**
         * @param q scaled projected queries (bq, n, H*dk), bq 1 or b
         * @return the attention output (b, n, H*dv) before o_proj
         */
        String attend(CrossAttention attention, String q, String maskBias);

        /** The number of input positions M when fixed at export, else -1. */
        default long positions() {
            return -1;
        }
    }

    /**
     * Query rows per chunk of an attention of {@code n} queries (per example) over {@code keys} keys with
     * {@code heads} heads, for batch 1: {@code setting} (the module's query chunk size) when > 0, else as many as keep
     * one chunk's scores (heads x rows x keys) within {@link MultiHeadAttention#MAX_SCORES_PER_CHUNK}; in [1, n]. That
     * is the module's training budget, not its smaller inference one: libtorch's smaller chunks avoid glibc handing out
     * fresh pages for every large block, while ONNX Runtime's arena reuses its buffers, and fewer chunks mean fewer
     * nodes.
     */
    static long rowsPerChunk(int setting, long heads, long keys, long n) {
        if (setting > 0) {
            return Math.min(n, setting);
        }
        return Math.max(1, Math.min(n, MultiHeadAttention.MAX_SCORES_PER_CHUNK / Math.max(1, heads * keys)));
    }

    /** Source of a plain input (b, M, C): {@code [k_proj, v_proj](kv_norm(x))} as one product, then attention. */
    KeyValueSource plain(String x) {
        Map<CrossAttention, List<String>> cache = new IdentityHashMap<>();
        return (a, q, maskBias) -> {
            MultiHeadAttention m = a.attention();
            List<String> kv = cache.computeIfAbsent(
                    a,
                    k -> ops.split(
                            ops.linear(
                                    ops.layerNorm(x, a.kvNorm()),
                                    stack(m.kProj(), m.vProj()),
                                    stackBias(m.kProj(), m.vProj())),
                            m.numQkChannels(),
                            m.numVChannels()));
            return ops.attention(q, kv.get(0), kv.get(1), m.numHeads(), m.numQkChannels(), m.numVChannels(), maskBias);
        };
    }

    /**
     * Source of a token input x = T[ids] + P[:n] (b, n, C) (token embedding T (vocab, C), learned position embedding P
     * (max_len, C) or none) whose keys and values are gathered rather than projected. With mu, r the mean and 1 / std
     * of x per position, W' = W diag(g) for the norm's scale g, gW = W' 1 and c = W beta + bias of the key or value
     * projection W (F, C):
     *
     * <pre>
     * kv_proj(kv_norm(x)) = r (x W'^T - mu gW) + c = r (T W'^T [ids] + P W'^T [:n] - mu gW) + c
     * </pre>
     *
     * where T W'^T (vocab, F) and P W'^T (max_len, F) are computed at export: the (b, n, C) x (C, F) products become
     * gathers. The keys' c is the same for every key and cancels in the softmax; the values' c is added to the output
     * (the attention weights of a query sum to 1).
     *
     * @param ids token ids (b, n) int64
     * @param x the summed embeddings (b, n, C), for the statistics
     * @param seqLen n as a (1) int64 value
     */
    KeyValueSource embedded(String ids, String x, TokenTables tables, String seqLen) {
        Map<Float, String[]> statsByEps = new HashMap<>(); // the mean does not depend on eps, 1 / std does
        Map<CrossAttention, String[]> kv = new IdentityHashMap<>();
        return (a, q, maskBias) -> {
            MultiHeadAttention m = a.attention();
            LayerNorm norm = a.kvNorm();
            String[] stats = statsByEps.computeIfAbsent(norm.eps(), eps -> {
                // LayerNormalization's optional outputs are the mean and 1 / std it normalises with: (b, n, 1)
                List<String> ln = g.ops(
                        "LayerNormalization",
                        List.of(
                                x,
                                g.constant(norm.weight().array()),
                                g.constant(norm.bias().array())),
                        3,
                        Attribute.of("axis", -1L),
                        Attribute.of("epsilon", eps));
                return new String[] {ln.get(1), ln.get(2)};
            });
            String[] kAndV = kv.computeIfAbsent(a, k -> new String[] {
                gatheredProjection(ids, tables, m.kProj(), norm, stats, seqLen),
                gatheredProjection(ids, tables, m.vProj(), norm, stats, seqLen)
            });
            String o =
                    ops.attention(q, kAndV[0], kAndV[1], m.numHeads(), m.numQkChannels(), m.numVChannels(), maskBias);
            return ops.add(o, g.constant(appliedTo(m.vProj(), norm.bias().array()))); // c
        };
    }

    /** The token and position embedding tables of a token input (positions null when it has none). */
    record TokenTables(NDArray tokens, NDArray positions) {}

    /** r (T W'^T [ids] + P W'^T [:n] - mu gW) (b, n, F), see {@link #embedded}; without c. */
    private String gatheredProjection(
            String ids, TokenTables tables, Linear linear, LayerNorm norm, String[] stats, String seqLen) {
        NDArray scaled = linear.weight().array().mul(norm.weight().array().reshape(1, -1)); // W' (F, C)
        String y = g.op("Gather", List.of(g.constant(Linear.apply(tables.tokens(), scaled, null)), ids));
        if (tables.positions() != null) {
            String positions = g.constant(Linear.apply(tables.positions(), scaled, null));
            y = ops.add(y, ops.prefix(positions, seqLen, 0));
        }
        String gw = g.constant(scaled.sum(new int[] {1}));
        scaled.close();
        String centred = g.op("Sub", List.of(y, g.op("Mul", List.of(stats[0], gw))));
        return g.op("Mul", List.of(centred, stats[1]));
    }

    /** The linear layer applied to one vector v (in): W v + bias (out). */
    private static NDArray appliedTo(Linear linear, NDArray v) {
        return Linear.apply(v.reshape(1, -1), linear.weight().array(), GraphOps.bias(linear))
                .reshape(-1);
    }

    /**
     * Source of a factored input x = [p (b, M, C1), e (M, C2)], e a constant, whose keys and values are never
     * formed. With mu, r the mean and 1/std of x per position, g the norm's scale and, per head, A = W_p g_p,
     * E = (e g_e) W_e^T (computed at export), gW = W g and c = W beta + bias of the key (k) or value (v) projection:
     *
     * <pre>
     * logits = r (q A_k p^T + q E_k^T - mu q gW_k)        (q c_k is the same for every key and cancels in the softmax)
     * output = (w p) A_v^T + w E_v - (w mu) gW_v + c_v,   w = softmax(logits) r
     * </pre>
     *
     * so the cost is that of the attention, O(b H n M d), instead of the O(b M C F) projections.
     */
    KeyValueSource factored(String p, NDArray e, long c1) {
        long positions = e.getShape().get(0);
        long c = c1 + e.getShape().get(1);
        String[] stats = new String[2];
        String[] pTransposed = new String[1];
        String[] unit = new String[1];
        Map<CrossAttention, FactoredConstants> constants = new IdentityHashMap<>();
        return new KeyValueSource() {
            @Override
            public long positions() {
                return positions;
            }

            @Override
            public String attend(CrossAttention a, String q, String maskBias) {
                if (stats[0] == null) {
                    String[] s = positionStats(p, e, c1, c, a.kvNorm().eps());
                    stats[0] = s[0];
                    stats[1] = s[1];
                    pTransposed[0] = g.op(
                            "Unsqueeze",
                            List.of(g.op("Transpose", List.of(p), Attribute.ints("perm", 0, 2, 1)), g.ints(1)));
                    if (boundedMemory) {
                        // (min(batch, 1), 1, 1): a size of 1 that only the input determines
                        String batch = g.op("Shape", List.of(p), Attribute.of("start", 0L), Attribute.of("end", 1L));
                        unit[0] = g.op(
                                "Concat",
                                List.of(g.op("Min", List.of(batch, g.ints(1))), g.ints(1, 1)),
                                Attribute.of("axis", 0L));
                    }
                }
                // with bounded memory, constant queries (1, n, H*dk) pass through an Expand to a size of 1 that the
                // runtime cannot know before the input comes, so that it does not fold their products with the
                // shared part E into an (n, M) constant per head at load time (1.5 GB for optical flow)
                String query = unit[0] == null ? q : g.op("Expand", List.of(q, unit[0]));
                FactoredConstants k = constants.computeIfAbsent(a, x -> factoredConstants(x, e, c1));
                return attendFactored(a, k, query, p, pTransposed[0], stats[0], stats[1], c1, maskBias);
            }
        };
    }

    /** The folded weights of one attention over a factored input, as graph constants (made once per attention). */
    private record FactoredConstants(
            String sharedK,
            String perExampleK,
            String normK,
            String perExampleV,
            String sharedV,
            String normV,
            String constantV) {}

    private FactoredConstants factoredConstants(CrossAttention a, NDArray e, long c1) {
        long positions = e.getShape().get(0);
        MultiHeadAttention m = a.attention();
        int h = m.numHeads();
        long dk = m.numQkChannels() / h;
        long dv = m.numVChannels() / h;
        Folded k = fold(m.kProj(), a.kvNorm(), e, c1);
        Folded v = fold(m.vProj(), a.kvNorm(), e, c1);
        // the (M, F) arrays are freed as soon as their rearranged copies exist
        return new FactoredConstants(
                g.constant(rearranged(k.shared, new long[] {positions, h, dk}, new int[] {1, 2, 0})),
                g.constant(k.perExample.reshape(h, dk, c1)),
                g.constant(k.normWeight.reshape(h, dk, 1)),
                g.constant(v.perExample
                        .reshape(h, dv, c1)
                        .transpose(0, 2, 1)
                        .reshape(-1)
                        .reshape(h, c1, dv)),
                g.constant(rearranged(v.shared, new long[] {positions, h, dv}, new int[] {1, 0, 2})),
                g.constant(v.normWeight.reshape(h, 1, dv)),
                g.constant(v.constant.reshape(h, 1, dv)));
    }

    /** The attention of q (bq, n, H*dk) to the factored input (see {@link #factored}): (b, n, H*dv). */
    private String attendFactored(
            CrossAttention a,
            FactoredConstants k,
            String q,
            String p,
            String pT,
            String mu,
            String r,
            long c1,
            String maskBias) {
        MultiHeadAttention m = a.attention();
        int h = m.numHeads();
        long dk = m.numQkChannels() / h;
        long dv = m.numVChannels() / h;
        String qh = g.op(
                "Transpose",
                List.of(g.op("Reshape", List.of(q, g.ints(0, 0, h, dk)))),
                Attribute.ints("perm", 0, 2, 1, 3)); // (bq, h, n, dk)
        // logits; pT is p transposed (b, 1, c1, M)
        String qE = g.op("MatMul", List.of(qh, k.sharedK()));
        String qA = g.op("MatMul", List.of(qh, k.perExampleK())); // (bq, h, n, c1)
        String pTerm = c1 == 1 ? g.op("Mul", List.of(qA, pT)) : g.op("MatMul", List.of(qA, pT)); // (b, h, n, M)
        String qg = g.op("MatMul", List.of(qh, k.normK())); // (bq, h, n, 1)
        String logits = g.op("Mul", List.of(g.op("Sub", List.of(ops.add(pTerm, qE), g.op("Mul", List.of(qg, mu)))), r));
        if (maskBias != null) {
            logits = ops.add(logits, maskBias);
        }
        String w = g.op("Mul", List.of(g.op("Softmax", List.of(logits), Attribute.of("axis", -1L)), r));
        // output
        String wp = c1 == 1
                ? g.op("ReduceSum", List.of(g.op("Mul", List.of(w, pT)), g.ints(-1)), Attribute.of("keepdims", 1L))
                : g.op("MatMul", List.of(w, g.op("Unsqueeze", List.of(p, g.ints(1))))); // (b, h, n, c1)
        String pPart = c1 == 1
                ? g.op("Mul", List.of(wp, k.perExampleV()))
                : g.op("MatMul", List.of(wp, k.perExampleV())); // (b, h, n, dv)
        String ePart = g.op("MatMul", List.of(w, k.sharedV()));
        String wMu = g.op("ReduceSum", List.of(g.op("Mul", List.of(w, mu)), g.ints(-1)), Attribute.of("keepdims", 1L));
        String muPart = g.op("Mul", List.of(wMu, k.normV()));
        String o = ops.add(g.op("Sub", List.of(ops.add(pPart, ePart), muPart)), k.constantV());
        o = g.op("Transpose", List.of(o), Attribute.ints("perm", 0, 2, 1, 3));
        return g.op("Reshape", List.of(o, g.ints(0, 0, h * dv)));
    }

    /**
     * A contiguous copy of {@code x} viewed as {@code shape} with its axes permuted by {@code axes}; {@code x} and the
     * views in between are closed (their memory freed with them).
     */
    private static NDArray rearranged(NDArray x, long[] shape, int[] axes) {
        NDArray view = x.reshape(shape);
        NDArray permuted = view.transpose(axes);
        long[] out = new long[shape.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = shape[axes[i]];
        }
        NDArray copy = permuted.reshape(-1);
        NDArray result = copy.reshape(out);
        copy.close();
        permuted.close();
        view.close();
        x.close();
        return result;
    }

    /** Mean and 1 / std (b, 1, 1, M) per position of x = [p, e]. */
    private String[] positionStats(String p, NDArray e, long c1, long c, float eps) {
        long positions = e.getShape().get(0);
        String sumE = g.constant(e.sum(new int[] {1}).reshape(1, positions, 1));
        String sumSqE = g.constant(e.square().sum(new int[] {1}).reshape(1, positions, 1));
        String pSq = g.op("Mul", List.of(p, p));
        String sum = c1 == 1 ? p : g.op("ReduceSum", List.of(p, g.ints(2)), Attribute.of("keepdims", 1L));
        String sumSq = c1 == 1 ? pSq : g.op("ReduceSum", List.of(pSq, g.ints(2)), Attribute.of("keepdims", 1L));
        String inverseC = g.scalar(1f / c);
        String mu = g.op("Mul", List.of(ops.add(sum, sumE), inverseC));
        String var = g.op(
                "Sub", List.of(g.op("Mul", List.of(ops.add(sumSq, sumSqE), inverseC)), g.op("Mul", List.of(mu, mu))));
        var = g.op("Max", List.of(var, g.scalar(0f)));
        String r = g.op("Reciprocal", List.of(g.op("Sqrt", List.of(ops.add(var, g.scalar(eps))))));
        String shape = g.ints(0, 1, 1, -1);
        return new String[] {g.op("Reshape", List.of(mu, shape)), g.op("Reshape", List.of(r, shape))};
    }

    /** Folded weights of one projection after the norm of a factored input. */
    private record Folded(NDArray perExample, NDArray shared, NDArray normWeight, NDArray constant) {}

    /** A = W_p g_p (F, C1), E = (e g_e) W_e^T (M, F), gW = W g (F), c = W beta + bias (F). */
    private static Folded fold(Linear linear, LayerNorm norm, NDArray e, long c1) {
        NDArray w = linear.weight().array();
        NDArray gamma = norm.weight().array();
        NDArray wP = w.get(":, :" + c1).mul(gamma.get(":" + c1).reshape(1, -1));
        NDArray scaledE = e.mul(gamma.get(c1 + ":")); // (M, C2), freed at once
        NDArray shared = Linear.apply(scaledE, w.get(":, " + c1 + ":"), null);
        scaledE.close();
        NDArray wg = Linear.apply(gamma.reshape(1, -1), w, null).reshape(-1);
        NDArray constant = appliedTo(linear, norm.bias().array());
        return new Folded(wP, shared, wg, constant);
    }

    /** The encoder: latents (1 or b, N, D) after every cross-attention and self-attention block. */
    String encoder(PerceiverEncoder encoder, KeyValueSource input, String maskBias) {
        NDArray latents = encoder.latentProvider().query(null); // (1, N, D)
        String x = null;
        int blocks = encoder.numSelfAttentionBlocks();
        for (int i = 0; i < blocks; ) {
            CrossAttentionLayer cross = encoder.crossAttentionBefore(i);
            if (cross != null) {
                x = crossAttentionLayer(
                        cross,
                        x,
                        x == null ? latents : null,
                        input,
                        maskBias,
                        latents.getShape().get(1));
            }
            // the same block applied again with no cross-attention in between (shared blocks 2..L) is one Loop
            SelfAttentionBlock block = encoder.selfAttentionBlock(i);
            int run = 1;
            while (i + run < blocks
                    && encoder.crossAttentionBefore(i + run) == null
                    && encoder.selfAttentionBlock(i + run) == block) {
                run++;
            }
            if (run == 1) {
                x = selfAttentionBlock(block, x);
            } else {
                Object[] dims = {
                    "batch", latents.getShape().get(1), latents.getShape().get(2)
                };
                x = g.loop(run, x, dims, in -> selfAttentionBlock(block, in));
            }
            i += run;
        }
        return x;
    }

    /**
     * The decoder's cross-attention of constant queries (1, O, F) to latents (b, N, D): (b, O, F), before the output
     * adapter.
     */
    String decoder(PerceiverDecoder decoder, NDArray queries, String latents) {
        return crossAttentionLayer(
                decoder.crossAttention(),
                null,
                queries,
                plain(latents),
                null,
                queries.getShape().get(1));
    }

    /**
     * The masked LM's decoder on its first {@code numQueries} (a (1) int64 value) constant queries (1, O, F), with
     * latents (b, N, D), followed by its output layer y = out W^T + bias (W (V, F), bias (V) or null): logits (b,
     * numQueries, V). Where V < F the output layer is folded into the MLP's second layer: with out = h + fc2(u), u =
     * gelu(fc1(norm(h))),
     *
     * <pre>
     * y = h W^T + u (W W_2)^T + (W b_2 + bias)
     * </pre>
     *
     * one (n, F_h) x (F_h, V) product instead of fc2's (n, F_h) x (F_h, F) and the output's (n, F) x (F, V): for the
     * 262 ids of deepmind/language-perceiver, 2048 x 768 x 506 multiply-adds fewer per sequence.
     */
    String maskedDecoderLogits(
            PerceiverDecoder decoder, NDArray queries, String latents, String numQueries, NDArray w, NDArray bias) {
        CrossAttentionLayer layer = decoder.crossAttention();
        CrossAttention a = layer.crossAttention();
        String q = ops.prefix(g.constant(projectedQuery(a, queries)), numQueries, 1);
        String xq = ops.prefix(g.constant(queries), numQueries, 1);
        String attended = attend(a, q, plain(latents), null);
        if (w.getShape().get(0) >= w.getShape().get(1)) {
            return ops.linear(residualAndMlp(layer, xq, attended), w, bias);
        }
        String h = withResidual(layer, xq, attended);
        Mlp mlp = layer.mlp().module();
        NDArray w2 = mlp.fc2().weight().array(); // (F, F_h)
        NDArray folded = w.toType(DataType.FLOAT64, false)
                .matMul(w2.toType(DataType.FLOAT64, false))
                .toType(DataType.FLOAT32, false); // (V, F_h)
        NDArray b2 = GraphOps.bias(mlp.fc2());
        NDArray foldedBias =
                b2 == null ? bias : Linear.apply(b2.reshape(1, -1), w, bias).reshape(-1);
        return ops.add(ops.linear(h, w, null), ops.linear(ops.mlpHidden(h, mlp), folded, foldedBias));
    }

    /**
     * The decoder's cross-attention of input-dependent queries (the optical-flow decoder's queries are the adapted
     * input), given in chunks (b, n_i, F) along the query axis, to latents (b, N, D): one (b, n_i, F) per chunk,
     * before the output adapter. Output queries are independent given the latents, so each chunk runs the whole layer
     * on its own; the latents' keys and values are formed once.
     */
    List<String> decoderOfQueries(PerceiverDecoder decoder, List<String> queryChunks, String latents) {
        KeyValueSource kv = plain(latents);
        List<String> out = new ArrayList<>();
        for (String q : queryChunks) {
            out.add(crossAttentionLayer(decoder.crossAttention(), q, null, kv, null, -1));
        }
        return out;
    }

    /**
     * One cross-attention layer: queries xq (b, n, D), or the constant {@code constantQuery} (1, n, D) when xq is null
     * (then projected at export), attend to the source's keys and values; with bounded memory and a source of known
     * positions, in chunks of query rows ({@link #rowsPerChunk}), n (-1 when not known) being the number of queries.
     */
    private String crossAttentionLayer(
            CrossAttentionLayer layer,
            String xq,
            NDArray constantQuery,
            KeyValueSource source,
            String maskBias,
            long n) {
        CrossAttention a = layer.crossAttention();
        MultiHeadAttention m = a.attention();
        long rows = boundedMemory && n > 0 && source.positions() > 0
                ? rowsPerChunk(m.queryChunkSize(), m.numHeads(), source.positions(), n)
                : n;
        NDArray projected = xq == null ? projectedQuery(a, constantQuery) : null;
        String q = xq == null
                ? null
                : ops.linear(
                        ops.layerNorm(xq, a.qNorm()), scaled(m.qProj().weight().array(), m), scaledBias(m.qProj(), m));
        String attended;
        if (rows < 0 || rows >= n) {
            attended = source.attend(a, q == null ? g.constant(projected) : q, maskBias);
        } else {
            List<String> parts = new ArrayList<>();
            for (long s = 0; s < n; s += rows) {
                long e = Math.min(n, s + rows);
                String chunk = q == null
                        ? g.constant(projected.get(":, " + s + ":" + e))
                        : g.op("Slice", List.of(q, g.ints(s), g.ints(e), g.ints(1)));
                parts.add(source.attend(a, chunk, maskBias));
            }
            attended = g.op("Concat", parts, Attribute.of("axis", 1L));
        }
        if (xq == null) {
            xq = g.constant(constantQuery);
        }
        String o = ops.linear(attended, m.oProj().weight().array(), GraphOps.bias(m.oProj()));
        return residualAndMlp(layer, xq, o);
    }

    private String attend(CrossAttention a, String q, KeyValueSource source, String maskBias) {
        MultiHeadAttention m = a.attention();
        String o = source.attend(a, q, maskBias);
        return ops.linear(o, m.oProj().weight().array(), GraphOps.bias(m.oProj()));
    }

    private String residualAndMlp(CrossAttentionLayer layer, String xq, String attended) {
        String h = withResidual(layer, xq, attended);
        return ops.add(h, ops.mlp(h, layer.mlp().module()));
    }

    /** The attention output plus the query residual xq where the layer has one. */
    private String withResidual(CrossAttentionLayer layer, String xq, String attended) {
        return layer.attentionResidual() == null ? attended : ops.add(xq, attended);
    }

    /** q_proj(q_norm(x)) times the dot-product scale for a constant query x (1, n, D): (1, n, qk). */
    private static NDArray projectedQuery(CrossAttention a, NDArray x) {
        MultiHeadAttention m = a.attention();
        NDArray normed = a.qNorm().forward(x);
        return Linear.apply(normed, scaled(m.qProj().weight().array(), m), scaledBias(m.qProj(), m));
    }

    /**
     * The layers of a self-attention block on x (b, N, D). Each residual sum and the layer norm that follows it (the
     * MLP's norm, the next layer's attention norm) are one {@link GraphOps#addAndNorm} step.
     */
    private String selfAttentionBlock(SelfAttentionBlock block, String x) {
        List<SelfAttentionLayer> layers = block.layers();
        // with ONNX Runtime's operators, one Attention node per layer (float32 weights); with int8 weights the block
        // works sequence-first, (N, b, D), see attentionSequenceFirst
        boolean fused = ops.microsoftOps() && !ops.int8();
        boolean sequenceFirst = ops.microsoftOps() && !fused;
        if (sequenceFirst) {
            x = ops.swapFirstAxes(x);
        }
        String xn = null; // x after the attention norm of layer i, where the step before computed it
        for (int i = 0; i < layers.size(); i++) {
            SelfAttentionLayer layer = layers.get(i);
            SelfAttention sa = layer.selfAttention().module();
            MultiHeadAttention m = sa.attention();
            // no k bias: q . b_k is the same for every key and cancels in the softmax; no v bias: the attention
            // weights of a query sum to 1 (no mask here), so it adds o_proj(b_v) to every output, folded into o's bias
            SelfAttentionWeights w = selfAttentionWeights.computeIfAbsent(m, this::selfAttentionWeights);
            if (xn == null) {
                xn = ops.layerNorm(x, sa.norm());
            }
            String o = fused
                    ? ops.selfAttention(
                            xn, w.qkvShape(), w.qkvT(), w.qkvBias(), m.numHeads(), m.numQkChannels(), m.numVChannels())
                    : unfusedSelfAttention(xn, m, w, sequenceFirst);
            NDArray oBias = w.oBias();
            Mlp mlp = layer.mlp().module();
            String[] h = ops.addAndNorm(x, ops.linear(o, m.oProj().weight().array(), null), oBias, mlp.norm());
            String f = ops.mlpOfNormed(h[1], mlp);
            NDArray fc2Bias = GraphOps.bias(mlp.fc2());
            if (i + 1 < layers.size()) {
                String[] next = ops.addAndNorm(
                        h[0],
                        f,
                        fc2Bias,
                        layers.get(i + 1).selfAttention().module().norm());
                x = next[0];
                xn = next[1];
            } else {
                x = ops.add(h[0], fc2Bias == null ? f : ops.add(f, g.constant(fc2Bias)));
            }
        }
        return sequenceFirst ? ops.swapFirstAxes(x) : x;
    }

    /** The attention of a self-attention layer as separate nodes: projection, split, q bias, attention. */
    private String unfusedSelfAttention(
            String xn, MultiHeadAttention m, SelfAttentionWeights w, boolean sequenceFirst) {
        String qkv = ops.linearOfTransposed(xn, w.qkvShape(), w.qkvT(), null);
        List<String> parts = ops.split(qkv, m.numQkChannels(), m.numQkChannels(), m.numVChannels());
        String q = w.qBias() == null ? parts.get(0) : ops.add(parts.get(0), g.constant(w.qBias()));
        return sequenceFirst
                ? ops.attentionSequenceFirst(
                        q, parts.get(1), parts.get(2), m.numHeads(), m.numQkChannels(), m.numVChannels())
                : ops.attention(q, parts.get(1), parts.get(2), m.numHeads(), m.numQkChannels(), m.numVChannels(), null);
    }

    /**
     * The weights one self-attention layer's graph is written with: the initializer of the fused (D, 2 qk + v) q/k/v
     * projection (q scaled), transposed; the scaled q bias (or null); the fused projection's bias (2 qk + v: the
     * scaled q bias, zeros for k and v); the output bias with o_proj(b_v) folded in (or null).
     */
    private record SelfAttentionWeights(
            Shape qkvShape, Supplier<NDArray> qkvT, NDArray qBias, NDArray qkvBias, NDArray oBias) {}

    /**
     * Made once per attention module, so that a shared block (self-attention blocks 2..L) is written with the same
     * initializers every time; the fused projection is computed when the graph is written.
     */
    private SelfAttentionWeights selfAttentionWeights(MultiHeadAttention m) {
        NDArray wq = m.qProj().weight().array();
        NDArray wk = m.kProj().weight().array();
        NDArray wv = m.vProj().weight().array();
        long in = wq.getShape().get(1);
        long out = wq.getShape().get(0) + wk.getShape().get(0) + wv.getShape().get(0);
        Shape qkvShape = new Shape(in, out);
        Supplier<NDArray> qkvT = () -> GraphOps.transposed(NDArrays.concat(new NDList(scaled(wq, m), wk, wv), 0));
        NDArray qBias = scaledBias(m.qProj(), m);
        NDArray qkvBias = qBias == null
                ? wq.getManager().zeros(new Shape(out))
                : NDArrays.concat(
                        new NDList(
                                qBias,
                                wq.getManager()
                                        .zeros(new Shape(out - wq.getShape().get(0)))),
                        0);
        NDArray oBias = m.vProj().bias() == null
                ? GraphOps.bias(m.oProj())
                : appliedTo(m.oProj(), m.vProj().bias().array());
        return new SelfAttentionWeights(qkvShape, qkvT, qBias, qkvBias, oBias);
    }

    private static NDArray scaled(NDArray w, MultiHeadAttention m) {
        return w.mul(m.dotProductScale());
    }

    private static NDArray scaledBias(Linear l, MultiHeadAttention m) {
        return l.bias() == null ? null : l.bias().array().mul(m.dotProductScale());
    }

    private static NDArray stack(Linear a, Linear b) {
        return NDArrays.concat(new NDList(a.weight().array(), b.weight().array()), 0);
    }

    private static NDArray stackBias(Linear a, Linear b) {
        return a.bias() == null
                ? null
                : NDArrays.concat(new NDList(a.bias().array(), b.bias().array()), 0);
    }
}
