package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.perceiver.inference.onnx.OnnxGraph.Attribute;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.blocks.CrossAttention;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.blocks.SelfAttention;
import dev.perceiver.model.blocks.SelfAttentionBlock;
import dev.perceiver.model.blocks.SelfAttentionLayer;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Linear;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Perceiver IO blocks as ONNX nodes, computed the way this project computes them rather than as a trace of the
 * reference would: one fused q/k/v (self-attention) or k/v (cross-attention) product, the dot-product scale folded
 * into the query weights, queries that do not depend on the input (latents of the first cross-attention, decoder
 * queries) projected once at export, and the keys and values of a factored input (pixels plus a fixed position
 * encoding) formed without the (b, M, C) x (C, F) products (see {@link #factoredKeyValues}).
 */
final class PerceiverGraphs {
    private final GraphOps ops;
    private final OnnxGraph g;
    private final Map<CrossAttentionLayer, List<String>> keyValues = new IdentityHashMap<>();

    PerceiverGraphs(GraphOps ops) {
        this.ops = ops;
        this.g = ops.graph();
    }

    /** Keys and values of one cross-attention layer, given its (b, M, C) input in some form. */
    interface KeyValueSource {
        List<String> keyValues(CrossAttention attention);
    }

    /** Key/value source of a plain input (b, M, C): {@code [k_proj, v_proj](kv_norm(x))} as one product. */
    KeyValueSource plain(String x) {
        return a -> {
            MultiHeadAttention m = a.attention();
            String kv = ops.linear(
                    ops.layerNorm(x, a.kvNorm()), stack(m.kProj(), m.vProj()), stackBias(m.kProj(), m.vProj()));
            return ops.split(kv, m.numQkChannels(), m.numVChannels());
        };
    }

    /**
     * Key/value source of a factored input x = [p (b, M, C1), e (M, C2)], e a constant: with mu, r the mean and
     * 1/std of x per position, g, beta the norm's scale and shift and W = [W_p, W_e] the stacked k/v weight,
     * {@code kv = r (p (W_p g_p)^T + (e g_e) W_e^T - mu W g) + (W beta + bias)}; the (M, F) term is computed at export,
     * so per example the cost is O(M C1 F) instead of O(M C F).
     */
    KeyValueSource factored(String p, NDArray e, long c1) {
        return a -> {
            MultiHeadAttention m = a.attention();
            LayerNorm norm = a.kvNorm();
            NDArray w = stack(m.kProj(), m.vProj()); // (F, C)
            NDArray bias = stackBias(m.kProj(), m.vProj());
            NDArray gamma = norm.weight().array();
            NDArray beta = norm.bias().array();
            long c = c1 + e.getShape().get(1);
            long positions = e.getShape().get(0);
            NDArray wP = w.get(":, :" + c1).mul(gamma.get(":" + c1).reshape(1, -1)); // (F, C1)
            NDArray shared = e.mul(gamma.get(c1 + ":")).matMul(GraphOps.transposed(w.get(":, " + c1 + ":"))); // (M, F)
            NDArray wg = w.matMul(gamma.reshape(-1, 1)).reshape(1, 1, -1); // (1, 1, F)
            NDArray constant = w.matMul(beta.reshape(-1, 1)).reshape(1, 1, -1);
            if (bias != null) {
                constant = constant.add(bias.reshape(1, 1, -1));
            }
            String sumE = g.constant(e.sum(new int[] {1}).reshape(1, positions, 1));
            String sumSqE = g.constant(e.square().sum(new int[] {1}).reshape(1, positions, 1));
            String pSq = g.op("Mul", List.of(p, p));
            String sum = c1 == 1 ? p : g.op("ReduceSum", List.of(p, g.ints(2)), Attribute.of("keepdims", 1L));
            String sumSq = c1 == 1 ? pSq : g.op("ReduceSum", List.of(pSq, g.ints(2)), Attribute.of("keepdims", 1L));
            String inverseC = g.scalar(1f / c);
            String mu = g.op("Mul", List.of(ops.add(sum, sumE), inverseC));
            String var = g.op(
                    "Sub",
                    List.of(g.op("Mul", List.of(ops.add(sumSq, sumSqE), inverseC)), g.op("Mul", List.of(mu, mu))));
            var = g.op("Max", List.of(var, g.scalar(0f)));
            String r = g.op("Reciprocal", List.of(g.op("Sqrt", List.of(ops.add(var, g.scalar(norm.eps()))))));
            String pa = c1 == 1
                    ? g.op("Mul", List.of(p, g.constant(wP.reshape(1, 1, -1))))
                    : g.op("MatMul", List.of(p, g.constant(GraphOps.transposed(wP))));
            String inner = g.op(
                    "Sub",
                    List.of(ops.add(pa, g.constant(shared.expandDims(0))), g.op("Mul", List.of(mu, g.constant(wg)))));
            String kv = ops.add(g.op("Mul", List.of(inner, r)), g.constant(constant));
            return ops.split(kv, m.numQkChannels(), m.numVChannels());
        };
    }

    /** The encoder: latents (1 or b, N, D) after every cross-attention and self-attention block. */
    String encoder(PerceiverEncoder encoder, KeyValueSource input, String maskBias) {
        NDArray latents = encoder.latentProvider().query(null); // (1, N, D)
        String x = null;
        for (int i = 0; i < encoder.numSelfAttentionBlocks(); i++) {
            CrossAttentionLayer cross = encoder.crossAttentionBefore(i);
            if (cross != null) {
                x = crossAttentionLayer(cross, x, x == null ? latents : null, input, maskBias);
            }
            x = selfAttentionBlock(encoder.selfAttentionBlock(i), x);
        }
        return x;
    }

    /**
     * The decoder's cross-attention of constant queries (1, O, F) to latents (b, N, D), restricted to the first
     * {@code numQueries} queries when not null (a (1) int64 value): (b, O or numQueries, F), before the output
     * adapter.
     */
    String decoder(PerceiverDecoder decoder, NDArray queries, String latents, String numQueries) {
        CrossAttentionLayer layer = decoder.crossAttention();
        String kvSource = latents;
        KeyValueSource kv = plain(kvSource);
        if (numQueries == null) {
            return crossAttentionLayer(layer, null, queries, kv, null);
        }
        CrossAttention a = layer.crossAttention();
        String q = slice(g.constant(projectedQuery(a, queries)), numQueries);
        String xq = slice(g.constant(queries), numQueries);
        return residualAndMlp(layer, xq, attend(a, q, kv.keyValues(a), null));
    }

    private String slice(String x, String end) {
        return g.op("Slice", List.of(x, g.ints(0), end, g.ints(1)));
    }

    /**
     * One cross-attention layer: queries xq (b, n, D), or the constant {@code constantQuery} (1, n, D) when xq is null
     * (then projected at export), attend to the source's keys and values.
     */
    private String crossAttentionLayer(
            CrossAttentionLayer layer, String xq, NDArray constantQuery, KeyValueSource source, String maskBias) {
        CrossAttention a = layer.crossAttention();
        List<String> kv = keyValues.computeIfAbsent(layer, l -> source.keyValues(a));
        String q;
        if (xq == null) {
            q = g.constant(projectedQuery(a, constantQuery));
            xq = g.constant(constantQuery);
        } else {
            MultiHeadAttention m = a.attention();
            q = ops.linear(
                    ops.layerNorm(xq, a.qNorm()), scaled(m.qProj().weight().array(), m), scaledBias(m.qProj(), m));
        }
        return residualAndMlp(layer, xq, attend(a, q, kv, maskBias));
    }

    private String attend(CrossAttention a, String q, List<String> kv, String maskBias) {
        MultiHeadAttention m = a.attention();
        String o = ops.attention(q, kv.get(0), kv.get(1), m.numHeads(), maskBias);
        return ops.linear(o, m.oProj().weight().array(), GraphOps.bias(m.oProj()));
    }

    private String residualAndMlp(CrossAttentionLayer layer, String xq, String attended) {
        String h = layer.attentionResidual() == null ? attended : ops.add(xq, attended);
        return ops.add(h, ops.mlp(h, layer.mlp().module()));
    }

    /** q_proj(q_norm(x)) times the dot-product scale for a constant query x (1, n, D): (1, n, qk). */
    private static NDArray projectedQuery(CrossAttention a, NDArray x) {
        MultiHeadAttention m = a.attention();
        NDArray normed = a.qNorm().forward(x);
        return Linear.apply(normed, scaled(m.qProj().weight().array(), m), scaledBias(m.qProj(), m));
    }

    private String selfAttentionBlock(SelfAttentionBlock block, String x) {
        for (SelfAttentionLayer layer : block.layers()) {
            SelfAttention sa = layer.selfAttention().module();
            MultiHeadAttention m = sa.attention();
            NDArray w = NDArrays.concat(
                    new NDList(
                            scaled(m.qProj().weight().array(), m),
                            m.kProj().weight().array(),
                            m.vProj().weight().array()),
                    0);
            NDArray b = m.qProj().bias() == null
                    ? null
                    : NDArrays.concat(
                            new NDList(
                                    scaledBias(m.qProj(), m),
                                    m.kProj().bias().array(),
                                    m.vProj().bias().array()),
                            0);
            String qkv = ops.linear(ops.layerNorm(x, sa.norm()), w, b);
            List<String> parts = ops.split(qkv, m.numQkChannels(), m.numQkChannels(), m.numVChannels());
            String o = ops.attention(parts.get(0), parts.get(1), parts.get(2), m.numHeads(), null);
            String h = ops.add(x, ops.linear(o, m.oProj().weight().array(), GraphOps.bias(m.oProj())));
            x = ops.add(h, ops.mlp(h, layer.mlp().module()));
        }
        return x;
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
