package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.onnx.OnnxGraph.Attribute;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.adapter.TiedTokenOutputAdapter;
import dev.perceiver.model.adapter.TokenInputAdapterWithRotarySupport;
import dev.perceiver.model.blocks.CrossAttention;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.blocks.SelfAttention;
import dev.perceiver.model.blocks.SelfAttentionBlock;
import dev.perceiver.model.blocks.SelfAttentionLayer;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Tensors;
import java.util.List;

/**
 * The full-sequence forward pass of a Perceiver AR model ({@link CausalSequenceModel}: causal LM, symbolic audio) as
 * ONNX nodes, as {@code forwardLogits(x, prefix_len, pad_mask, null)} computes it: token ids x (b, n), pad mask (b, n)
 * (true = left padding) and {@code prefix_len} -> logits of the n - prefix_len latent positions (b, n - prefix_len,
 * vocab_size) and their (output-normed) hidden state. Positions are shifted by each row's left padding and clamped
 * at 0; queries and keys are rotated (rotary embedding of the first channels of each head, right-aligned); the
 * latents attend causally to [prefix, latents] (keys of padded positions masked) and then to each other. The
 * rotation is written as {@code t cos + t[perm] sin'} with a channel permutation and a sign folded into sin, over
 * all channels of a head (cos 1 and sin 0 on the channels that are not rotated); the dot-product scale is folded into
 * the query weights; masked logits are set to the most negative float, as the module does.
 */
final class PerceiverArGraphs {
    private final GraphOps ops;
    private final OnnxGraph g;

    PerceiverArGraphs(GraphOps ops) {
        this.ops = ops;
        this.g = ops.graph();
    }

    /** Output values of the graph: logits (b, n - p, vocab) and hidden state (b, n - p, C). */
    record Outputs(String logits, String hidden) {}

    /** Rotation of one span of positions: cos and signed sin (b, n, 1, dk), the channel permutation (dk). */
    private record Rotation(String cos, String sin, String perm) {}

    /**
     * @param x token ids int64 (b, n)
     * @param padMask bool (b, n), true = padding
     * @param prefixLen int64 scalar, 0 <= prefix_len < n
     */
    Outputs forward(NDManager m, CausalSequenceModel model, String x, String padMask, String prefixLen) {
        TokenInputAdapterWithRotarySupport adapter = model.tokenAdapter();
        String n = g.op("Shape", List.of(x), Attribute.of("start", 1L), Attribute.of("end", 2L)); // (1)
        String p = g.op("Reshape", List.of(prefixLen, g.ints(1))); // (1)
        String shift = g.op(
                "ReduceSum",
                List.of(g.op("Cast", List.of(padMask), Attribute.of("to", (long) OnnxGraph.INT64)), g.ints(1)),
                Attribute.of("keepdims", 1L)); // (b, 1)
        String positions = g.op(
                "Max",
                List.of(
                        g.op("Sub", List.of(g.op("Unsqueeze", List.of(range(n), g.ints(0))), shift)),
                        g.ints(0))); // (b, n)
        String h = g.op(
                "Gather", List.of(g.constant(adapter.txtEmbedding().weight().array()), x));
        if (adapter.posEmbedding() != null) {
            h = ops.add(
                    h,
                    g.op(
                            "Gather",
                            List.of(g.constant(adapter.posEmbedding().weight().array()), positions)));
        }
        CrossAttentionLayer crossLayer = model.crossAttention();
        MultiHeadAttention cm = crossLayer.crossAttention().attention();
        Rotation all = rotation(m, model, positions, cm.numQkChannels() / cm.numHeads());
        Rotation latent = new Rotation(slice(all.cos(), p, n), slice(all.sin(), p, n), all.perm());
        String xLatent = slice(h, p, n);
        String xPrefix = slice(h, g.ints(0), p);
        String nLatent = g.op("Sub", List.of(n, p));
        String padBias = g.op("Unsqueeze", List.of(padMask, g.ints(1, 2))); // (b, 1, 1, n)
        String crossMask = g.op("Or", List.of(padBias, causal(nLatent, n, p)));
        h = crossAttentionLayer(crossLayer, xLatent, xPrefix, latent, all, crossMask, null);
        String selfMask = causal(nLatent, nLatent, g.ints(0));
        SelfAttentionBlock block = model.selfAttention();
        List<SelfAttentionLayer> layers = block.layers();
        for (int i = 0; i < layers.size(); i++) {
            h = selfAttentionLayer(layers.get(i), h, block.usesRotary(i) ? latent : null, selfMask, null);
        }
        h = outNorm(model, h);
        return new Outputs(logits(model, h), h);
    }

    /** The final layer norm of h (b, n, C), where the model has one. */
    private String outNorm(CausalSequenceModel model, String h) {
        return model.outNorm() == null ? h : ops.layerNorm(h, model.outNorm());
    }

    /** The tied output adapter: normed hidden states (b, n, C) -> logits (b, n, vocab_size). */
    private String logits(CausalSequenceModel model, String normed) {
        TiedTokenOutputAdapter out = model.outputAdapter();
        return ops.linear(
                normed,
                out.embedding().weight().array(),
                out.bias() == null ? null : out.bias().array());
    }

    /**
     * Keys (b, H, cached, dk) and values (b, H, cached, dv) of the earlier positions of one attention layer, and the
     * names the present keys and values (the past with the new positions appended) are written under: a graph output
     * named so is the Concat's own result, not a copy of it.
     */
    record Past(String keys, String values, String presentKeys, String presentValues) {}

    /**
     * Inputs of the cached forward pass: the new tokens x int64 (b, n), their absolute (position embedding) and rotary
     * positions int64 (b, n), the pad mask bool (b, cached + n) of the cross-attention's cached and new positions
     * (true = padding), prefix_len int64 scalar (the first prefix_len new tokens are prefix positions, only keys and
     * values of the cross-attention), and the cached keys and values of the cross-attention layer and of each
     * self-attention layer (cached may be 0).
     */
    record CachedInputs(
            String x,
            String absPos,
            String rotPos,
            String padMask,
            String prefixLen,
            Past crossAttention,
            List<Past> selfAttention) {}

    /**
     * Outputs of the cached forward pass: logits (b, 1, vocab) of the last position and the present keys and values
     * (cached + new positions, head-major): the cross-attention layer's keys and values, then each self-attention
     * layer's.
     */
    record CachedOutputs(String logits, List<String> present) {}

    /** The present keys and values of one layer ({@code past}'s present names) are appended to {@code present}. */
    private record LayerCache(Past past, List<String> present) {}

    /**
     * The cached forward pass, as {@code forwardLogits(x, prefix_len, pad_mask, cache)} computes it with a filled or
     * an empty cache: the n - prefix_len latent positions of the new tokens attend to the cached positions and
     * causally to the new ones. Positions come from the inputs (the caller keeps the cache's position frame).
     */
    CachedOutputs cachedForward(NDManager m, CausalSequenceModel model, CachedInputs in) {
        TokenInputAdapterWithRotarySupport adapter = model.tokenAdapter();
        String x = in.x();
        String n = g.op("Shape", List.of(x), Attribute.of("start", 1L), Attribute.of("end", 2L)); // (1)
        String p = g.op("Reshape", List.of(in.prefixLen(), g.ints(1))); // (1)
        String h = g.op(
                "Gather", List.of(g.constant(adapter.txtEmbedding().weight().array()), x));
        if (adapter.posEmbedding() != null) {
            h = ops.add(
                    h,
                    g.op(
                            "Gather",
                            List.of(g.constant(adapter.posEmbedding().weight().array()), in.absPos())));
        }
        CrossAttentionLayer crossLayer = model.crossAttention();
        MultiHeadAttention cm = crossLayer.crossAttention().attention();
        Rotation all = rotation(m, model, in.rotPos(), cm.numQkChannels() / cm.numHeads());
        Rotation latent = new Rotation(slice(all.cos(), p, n), slice(all.sin(), p, n), all.perm());
        String xLatent = slice(h, p, n);
        String xPrefix = slice(h, g.ints(0), p);
        String nLatent = g.op("Sub", List.of(n, p));
        String cached = g.op(
                "Shape",
                List.of(in.crossAttention().keys()),
                Attribute.of("start", 2L),
                Attribute.of("end", 3L)); // (1)
        String padBias = g.op("Unsqueeze", List.of(in.padMask(), g.ints(1, 2))); // (b, 1, 1, cached + n)
        String crossMask = g.op(
                "Or",
                List.of(padBias, causal(nLatent, g.op("Add", List.of(cached, n)), g.op("Add", List.of(cached, p)))));
        List<String> present = new java.util.ArrayList<>();
        h = crossAttentionLayer(
                crossLayer, xLatent, xPrefix, latent, all, crossMask, new LayerCache(in.crossAttention(), present));
        SelfAttentionBlock block = model.selfAttention();
        List<SelfAttentionLayer> layers = block.layers();
        String selfMask = null;
        for (int i = 0; i < layers.size(); i++) {
            Past past = in.selfAttention().get(i);
            if (selfMask == null) {
                String selfCached =
                        g.op("Shape", List.of(past.keys()), Attribute.of("start", 2L), Attribute.of("end", 3L));
                selfMask = causal(nLatent, g.op("Add", List.of(selfCached, nLatent)), selfCached);
            }
            h = selfAttentionLayer(
                    layers.get(i), h, block.usesRotary(i) ? latent : null, selfMask, new LayerCache(past, present));
        }
        h = g.op("Slice", List.of(h, g.ints(-1), g.ints(Long.MAX_VALUE), g.ints(1))); // (b, 1, C)
        return new CachedOutputs(logits(model, outNorm(model, h)), present);
    }

    /**
     * cos and signed sin (b, n, 1, dk) of the positions' angles {@code position * inv_freq} (interleaved, as the
     * frequency encoding makes them), 0 on the channels of a head that are not rotated.
     */
    private Rotation rotation(NDManager m, CausalSequenceModel model, String positions, long dk) {
        double[] angles = model.tokenAdapter().frqPosEncoding().angles(new long[] {1})[0]; // inv_freq, interleaved
        int r = angles.length;
        if (r > dk) {
            throw new IllegalArgumentException(
                    "rotated channels (" + r + ") exceed the channels per head (" + dk + ")");
        }
        float[] freq = new float[(int) dk];
        float[] sign = new float[(int) dk];
        long[] perm = new long[(int) dk];
        for (int i = 0; i < dk; i++) {
            boolean rotated = i < r;
            freq[i] = rotated ? (float) angles[i] : 0f;
            sign[i] = rotated && i % 2 == 0 ? -1f : 1f;
            perm[i] = rotated ? i ^ 1 : i;
        }
        String a = g.op(
                "Mul",
                List.of(
                        g.op(
                                "Unsqueeze",
                                List.of(
                                        g.op("Cast", List.of(positions), Attribute.of("to", (long) OnnxGraph.FLOAT)),
                                        g.ints(-1))),
                        g.constant(Tensors.owned(m, freq, new Shape(dk))))); // (b, n, dk)
        String cos = g.op("Unsqueeze", List.of(g.op("Cos", List.of(a)), g.ints(2)));
        String sin = g.op(
                "Unsqueeze",
                List.of(
                        g.op(
                                "Mul",
                                List.of(g.op("Sin", List.of(a)), g.constant(Tensors.owned(m, sign, new Shape(dk))))),
                        g.ints(2)));
        return new Rotation(cos, sin, g.ints(perm));
    }

    /** t (b, n, h, dk) rotated: t cos + t[perm] sin'. */
    private String rotate(String t, Rotation rot) {
        String swapped = g.op("Gather", List.of(t, rot.perm()), Attribute.of("axis", 3L));
        return ops.add(g.op("Mul", List.of(t, rot.cos())), g.op("Mul", List.of(swapped, rot.sin())));
    }

    /** 0, 1, ..., len - 1 for a (1) int64 length. */
    private String range(String len) {
        return g.op(
                "Range",
                List.of(
                        g.op("Squeeze", List.of(g.ints(0))),
                        g.op("Squeeze", List.of(len)),
                        g.op("Squeeze", List.of(g.ints(1)))));
    }

    /** x[:, start:end] along axis 1, start and end (1) int64. */
    private String slice(String x, String start, String end) {
        return g.op("Slice", List.of(x, start, end, g.ints(1)));
    }

    /**
     * The right-aligned causal mask (nq, l), true = masked: query i may see key j when {@code j - i <= offset},
     * offset = l - nq.
     */
    private String causal(String nq, String l, String offset) {
        String rows = g.op("Unsqueeze", List.of(range(nq), g.ints(1)));
        String cols = g.op("Unsqueeze", List.of(range(l), g.ints(0)));
        return g.op("Greater", List.of(g.op("Sub", List.of(cols, rows)), offset));
    }

    /**
     * The cross-attention layer: queries q_norm(latents) attend to [kv_norm(prefix), q_norm(latents)], then the
     * residual MLP.
     */
    private String crossAttentionLayer(
            CrossAttentionLayer layer,
            String xLatent,
            String xPrefix,
            Rotation rotQ,
            Rotation rotK,
            String mask,
            LayerCache cache) {
        CrossAttention a = layer.crossAttention();
        MultiHeadAttention m = a.attention();
        String qn = ops.layerNorm(xLatent, a.qNorm());
        String kvIn = g.op("Concat", List.of(ops.layerNorm(xPrefix, a.kvNorm()), qn), Attribute.of("axis", 1L));
        String q = ops.linear(qn, m.qProj().weight().array().mul(m.dotProductScale()), scaledBias(m.qProj(), m));
        List<String> kv = ops.split(
                ops.linear(kvIn, stack(m.kProj(), m.vProj()), stackBias(m.kProj(), m.vProj())),
                m.numQkChannels(),
                m.numVChannels());
        String o = attention(m, q, kv.get(0), kv.get(1), rotQ, rotK, mask, cache);
        String h = layer.attentionResidual() == null ? o : ops.add(xLatent, o);
        return ops.add(h, ops.mlp(h, layer.mlp().module()));
    }

    /** One causal self-attention layer on x (b, n, C), with the rotation when not null, then the residual MLP. */
    private String selfAttentionLayer(SelfAttentionLayer layer, String x, Rotation rot, String mask, LayerCache cache) {
        SelfAttention sa = layer.selfAttention().module();
        MultiHeadAttention m = sa.attention();
        NDArray w = NDArrays.concat(
                new NDList(
                        m.qProj().weight().array().mul(m.dotProductScale()),
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
        List<String> qkv = ops.split(
                ops.linear(ops.layerNorm(x, sa.norm()), w, b), m.numQkChannels(), m.numQkChannels(), m.numVChannels());
        String o = attention(m, qkv.get(0), qkv.get(1), qkv.get(2), rot, rot, mask, cache);
        String h = ops.add(x, o);
        return ops.add(h, ops.mlp(h, layer.mlp().module()));
    }

    /**
     * Attention of scaled queries q (b, nq, H*dk) to keys k (b, l, H*dk) and values v (b, l, H*dv), queries and keys
     * rotated when their rotation is not null, logits set to the most negative float where {@code mask} (broadcast to
     * (b, H, nq, l)) is true, then o_proj: (b, nq, D). With a cache, the keys and values of the earlier positions
     * come first (l = cached + new) and the present keys and values (b, H, l, d) are recorded in it.
     */
    private String attention(
            MultiHeadAttention m,
            String q,
            String k,
            String v,
            Rotation rotQ,
            Rotation rotK,
            String mask,
            LayerCache cache) {
        int heads = m.numHeads();
        long dk = m.numQkChannels() / heads;
        long dv = m.numVChannels() / heads;
        String qh = g.op("Reshape", List.of(q, g.ints(0, 0, heads, dk)));
        String kh = g.op("Reshape", List.of(k, g.ints(0, 0, heads, dk)));
        if (rotQ != null) {
            qh = rotate(qh, rotQ);
        }
        if (rotK != null) {
            kh = rotate(kh, rotK);
        }
        qh = g.op("Transpose", List.of(qh), Attribute.ints("perm", 0, 2, 1, 3));
        String vh = g.op(
                "Transpose",
                List.of(g.op("Reshape", List.of(v, g.ints(0, 0, heads, dv)))),
                Attribute.ints("perm", 0, 2, 1, 3));
        String kt;
        if (cache == null) {
            kt = g.op("Transpose", List.of(kh), Attribute.ints("perm", 0, 2, 3, 1));
        } else {
            Past past = cache.past();
            String keys = g.namedOp(
                    past.presentKeys(),
                    "Concat",
                    List.of(past.keys(), g.op("Transpose", List.of(kh), Attribute.ints("perm", 0, 2, 1, 3))),
                    Attribute.of("axis", 2L)); // (b, H, cached + n, dk)
            vh = g.namedOp(past.presentValues(), "Concat", List.of(past.values(), vh), Attribute.of("axis", 2L));
            cache.present().add(keys);
            cache.present().add(vh);
            kt = g.op("Transpose", List.of(keys), Attribute.ints("perm", 0, 1, 3, 2));
        }
        String logits = g.op("MatMul", List.of(qh, kt));
        logits = g.op("Where", List.of(mask, g.scalar(-Float.MAX_VALUE), logits));
        String probs = g.op("Softmax", List.of(logits), Attribute.of("axis", -1L));
        String o = g.op("Transpose", List.of(g.op("MatMul", List.of(probs, vh))), Attribute.ints("perm", 0, 2, 1, 3));
        o = g.op("Reshape", List.of(o, g.ints(0, 0, m.numVChannels())));
        return ops.linear(o, m.oProj().weight().array(), GraphOps.bias(m.oProj()));
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
