package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.onnx.OnnxGraph.Attribute;
import dev.perceiver.model.blocks.Mlp;
import dev.perceiver.nn.LayerNorm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The layers every exported block is made of, written as ONNX nodes into one {@link OnnxGraph}: linear (one MatMul
 * with the weight stored transposed, or with int8 weights one DynamicQuantizeMatMul), layer norm
 * (LayerNormalization), exact GELU, MLP and multi-head attention of projected queries, keys and values. Shapes are
 * (batch, positions, channels) unless a method says otherwise.
 */
final class GraphOps {
    private final OnnxGraph g;
    private final boolean microsoftOps;
    private final boolean int8;
    private final Map<Supplier<NDArray>, List<String>> derivedWeights = new IdentityHashMap<>();
    private final Map<NDArray, Supplier<NDArray>> transposedSuppliers = new IdentityHashMap<>();
    private final Map<String, String> rangesByLength = new HashMap<>();

    /** Weights with fewer elements stay float32 with {@code int8}: their products are too small to gain. */
    static final long MIN_INT8_WEIGHT = 65_536;

    /** Standard ONNX operators only. */
    GraphOps(OnnxGraph g) {
        this(g, false);
    }

    /**
     * @param microsoftOps whether ONNX Runtime's {@code com.microsoft} operators may be used where they save passes
     *     over memory (the model then loads in ONNX Runtime only)
     */
    GraphOps(OnnxGraph g, boolean microsoftOps) {
        this(g, microsoftOps, false);
    }

    /**
     * @param int8 whether linear layers with at least {@link #MIN_INT8_WEIGHT} weights are written as ONNX Runtime's
     *     {@code DynamicQuantizeMatMul} with int8 weights (needs {@code microsoftOps})
     */
    GraphOps(OnnxGraph g, boolean microsoftOps, boolean int8) {
        if (int8 && !microsoftOps) {
            throw new IllegalArgumentException("int8 weights need ONNX Runtime's operators (microsoftOps)");
        }
        this.g = g;
        this.microsoftOps = microsoftOps;
        this.int8 = int8;
    }

    OnnxGraph graph() {
        return g;
    }

    /** Whether ONNX Runtime's {@code com.microsoft} operators may be used. */
    boolean microsoftOps() {
        return microsoftOps;
    }

    /** Whether linear layers with large weights are written with int8 weights. */
    boolean int8() {
        return int8;
    }

    /** Swaps the first two axes of a rank-3 value: (b, n, C) to (n, b, C) and back. */
    String swapFirstAxes(String x) {
        return g.op("Transpose", List.of(x), Attribute.ints("perm", 1, 0, 2));
    }

    /** x (..., in) times weight (out, in) transposed, plus bias (out) when not null: (..., out). */
    String linear(String x, NDArray weight, NDArray bias) {
        // the transposed copy is made when the graph is written, once per weight (a shared block's is used again:
        // one supplier per weight, one initializer per supplier)
        long[] s = weight.getShape().getShape();
        Supplier<NDArray> weightT = transposedSuppliers.computeIfAbsent(weight, w -> () -> transposed(w));
        return linearOfTransposed(x, new Shape(s[1], s[0]), weightT, bias);
    }

    /** x (..., in) times the initializer {@code weightT} (in, out), plus bias (out) when not null: (..., out). */
    private String linearOfTransposed(String x, String weightT, NDArray bias) {
        String y = g.op("MatMul", List.of(x, weightT));
        return bias == null ? y : g.op("Add", List.of(y, g.constant(bias)));
    }

    /**
     * x (..., in) times a weight (in, out) that {@code weightT} computes when the graph is written, plus bias (out)
     * when not null: (..., out). With int8 (and at least {@link #MIN_INT8_WEIGHT} weights) the weight is stored
     * quantized to int8 per output column (symmetric, scale max|w| / 127) and multiplied by ONNX Runtime's
     * DynamicQuantizeMatMul, which quantizes x to uint8 per call; otherwise one float32 MatMul.
     */
    String linearOfTransposed(String x, Shape shape, Supplier<NDArray> weightT, NDArray bias) {
        if (int8 && shape.size() >= MIN_INT8_WEIGHT) {
            return linearInt8(x, shape, weightT, bias);
        }
        String w = derivedWeights
                .computeIfAbsent(weightT, c -> List.of(g.deferred(shape, c)))
                .get(0);
        return linearOfTransposed(x, w, bias);
    }

    private String linearInt8(String x, Shape shape, Supplier<NDArray> weightT, NDArray bias) {
        // the same supplier (a shared block written again) gets the same initializers
        List<String> w = derivedWeights.computeIfAbsent(weightT, c -> {
            long out = shape.get(1);
            String q = g.deferred(shape, DataType.INT8, () -> {
                NDArray t = c.get();
                return t.div(columnScales(t)).round().clip(-127, 127).toType(DataType.INT8, false);
            });
            String scales =
                    g.deferred(new Shape(out), () -> columnScales(c.get()).reshape(out));
            return List.of(q, scales, g.int8Zeros(Math.toIntExact(out)));
        });
        List<String> in = new ArrayList<>(List.of(x, w.get(0), w.get(1), w.get(2)));
        if (bias != null) {
            in.add(g.constant(bias));
        }
        return g.microsoftOp("DynamicQuantizeMatMul", in, new boolean[] {true}).get(0);
    }

    /** The per-column scales max|w| / 127 of a weight (in, out), as (1, out); columns of zeros get a tiny scale. */
    private static NDArray columnScales(NDArray w) {
        return w.abs().max(new int[] {0}, true).div(127f).maximum(1e-30f);
    }

    /** A contiguous (in, out) copy of a (out, in) weight. */
    static NDArray transposed(NDArray weight) {
        long[] s = weight.getShape().getShape();
        // the views in between are closed at once: a transposed view keeps its source's memory alive
        NDArray view = weight.transpose(1, 0);
        NDArray flat = view.reshape(-1);
        NDArray out = flat.reshape(s[1], s[0]);
        flat.close();
        view.close();
        return out;
    }

    /** Layer norm over the last axis. */
    String layerNorm(String x, LayerNorm norm) {
        return g.op(
                "LayerNormalization",
                List.of(
                        x,
                        g.constant(norm.weight().array()),
                        g.constant(norm.bias().array())),
                Attribute.of("axis", -1L),
                Attribute.of("epsilon", norm.eps()));
    }

    /** Exact GELU, x * 0.5 * (1 + erf(x / sqrt(2))) (ONNX Runtime fuses it into one kernel). */
    String gelu(String x) {
        String erf = g.op("Erf", List.of(g.op("Div", List.of(x, g.scalar((float) Math.sqrt(2.0))))));
        String half = g.op("Mul", List.of(x, g.scalar(0.5f)));
        return g.op("Mul", List.of(half, g.op("Add", List.of(erf, g.scalar(1f)))));
    }

    /**
     * The residual sum s = x + y + bias (bias (D) may be null) of two (b, n, D) values and its layer norm: {s,
     * norm(s)}. With ONNX Runtime's operators one SkipLayerNormalization node (one pass instead of three), otherwise
     * Add and LayerNormalization.
     */
    String[] addAndNorm(String x, String y, NDArray bias, LayerNorm norm) {
        if (!microsoftOps) {
            String sum = add(x, bias == null ? y : add(y, g.constant(bias)));
            return new String[] {sum, layerNorm(sum, norm)};
        }
        List<String> in = bias == null
                ? List.of(
                        x,
                        y,
                        g.constant(norm.weight().array()),
                        g.constant(norm.bias().array()))
                : List.of(
                        x,
                        y,
                        g.constant(norm.weight().array()),
                        g.constant(norm.bias().array()),
                        g.constant(bias));
        List<String> out = g.microsoftOp(
                "SkipLayerNormalization",
                in,
                new boolean[] {true, false, false, true},
                Attribute.of("epsilon", norm.eps()));
        return new String[] {out.get(3), out.get(0)};
    }

    /** The MLP's fc2(gelu(fc1(xn))) of an already normed input, without fc2's bias. */
    String mlpOfNormed(String xn, Mlp mlp) {
        return linear(hiddenOfNormed(xn, mlp), mlp.fc2().weight().array(), null);
    }

    /** The MLP's hidden layer gelu(fc1(norm(x))) (..., F_h). */
    String mlpHidden(String x, Mlp mlp) {
        return hiddenOfNormed(layerNorm(x, mlp.norm()), mlp);
    }

    /** The pre-norm MLP (without its residual). */
    String mlp(String x, Mlp mlp) {
        return linear(mlpHidden(x, mlp), mlp.fc2().weight().array(), bias(mlp.fc2()));
    }

    private String hiddenOfNormed(String xn, Mlp mlp) {
        return gelu(linear(xn, mlp.fc1().weight().array(), bias(mlp.fc1())));
    }

    static NDArray bias(dev.perceiver.nn.Linear linear) {
        return linear.bias() == null ? null : linear.bias().array();
    }

    String add(String a, String b) {
        return g.op("Add", List.of(a, b));
    }

    /**
     * The first {@code length} (a (1) int64 value) entries of {@code x} along {@code axis}. A Gather of the indices 0
     * .. length - 1 rather than a Slice: ONNX Runtime's Slice copies on one thread, its Gather on all of them (for a
     * (2048, 1280) table 0.4 ms instead of 1.3 ms).
     */
    String prefix(String x, String length, long axis) {
        String indices = rangesByLength.computeIfAbsent(
                length,
                n -> g.op("Range", List.of(g.scalarInt(0), g.op("Squeeze", List.of(n, g.ints(0))), g.scalarInt(1))));
        return g.op("Gather", List.of(x, indices), Attribute.of("axis", axis));
    }

    /** Splits the last axis into parts of the given sizes. */
    List<String> split(String x, long... sizes) {
        return g.ops("Split", List.of(x, g.ints(sizes)), sizes.length, Attribute.of("axis", -1L));
    }

    /**
     * Attention of scaled projected queries q (bq, n, H*dk) to keys k (b, m, H*dk) and values v (b, m, H*dv), bq 1
     * or b; {@code maskBias} (b, 1, 1, m) is added to the logits when not null. Output (b, n, H*dv) before o_proj.
     * The head sizes are written into the graph as numbers (not -1), so that ONNX Runtime's shape inference knows
     * every channel axis and its fusions (SkipLayerNormalization of the residual adds) apply.
     */
    String attention(String q, String k, String v, int heads, long qkChannels, long vChannels, String maskBias) {
        String qkShape = g.ints(0, 0, heads, qkChannels / heads);
        String vShape = g.ints(0, 0, heads, vChannels / heads);
        String qh =
                g.op("Transpose", List.of(g.op("Reshape", List.of(q, qkShape))), Attribute.ints("perm", 0, 2, 1, 3));
        String kt =
                g.op("Transpose", List.of(g.op("Reshape", List.of(k, qkShape))), Attribute.ints("perm", 0, 2, 3, 1));
        String vh = g.op("Transpose", List.of(g.op("Reshape", List.of(v, vShape))), Attribute.ints("perm", 0, 2, 1, 3));
        String logits = g.op("MatMul", List.of(qh, kt));
        if (maskBias != null) {
            logits = add(logits, maskBias);
        }
        String p = g.op("Softmax", List.of(logits), Attribute.of("axis", -1L));
        String o = g.op("Transpose", List.of(g.op("MatMul", List.of(p, vh))), Attribute.ints("perm", 0, 2, 1, 3));
        return g.op("Reshape", List.of(o, g.ints(0, 0, vChannels)));
    }

    /**
     * {@link #attention} without a mask on sequence-first values, ONNX Runtime's operators only: q (n, b, H*dk), k
     * (m, b, H*dk), v (m, b, H*dv), output (n, b, H*dv). FusedMatMul's batch transposition reads each head where the
     * projection wrote it, so of the four head transposes of {@link #attention} only the output's is left.
     */
    String attentionSequenceFirst(String q, String k, String v, int heads, long qkChannels, long vChannels) {
        if (!microsoftOps) {
            throw new IllegalStateException("attentionSequenceFirst needs ONNX Runtime's operators");
        }
        String qkShape = g.ints(0, 0, heads, qkChannels / heads);
        String vh = g.op("Reshape", List.of(v, g.ints(0, 0, heads, vChannels / heads))); // (m, b, H, dv)
        // (n, b, H, dk) x (m, b, H, dk) -> (b, H, n, dk) x (b, H, dk, m)
        String logits = g.microsoftOp(
                        "FusedMatMul",
                        List.of(g.op("Reshape", List.of(q, qkShape)), g.op("Reshape", List.of(k, qkShape))),
                        new boolean[] {true},
                        Attribute.of("transBatchA", 1L),
                        Attribute.of("transBatchB", 1L),
                        Attribute.of("transB", 1L))
                .get(0);
        String p = g.op("Softmax", List.of(logits), Attribute.of("axis", -1L)); // (b, H, n, m)
        String o = g.microsoftOp("FusedMatMul", List.of(p, vh), new boolean[] {true}, Attribute.of("transBatchB", 1L))
                .get(0); // (b, H, n, dv)
        o = g.op("Transpose", List.of(o), Attribute.ints("perm", 2, 0, 1, 3));
        return g.op("Reshape", List.of(o, g.ints(0, 0, vChannels)));
    }

    /**
     * Multi-head self-attention of an already normed x (b, n, D) as one ONNX Runtime {@code Attention} node: the fused
     * q/k/v projection (the initializer {@code qkvT} (D, 2 qk + v) computes when the graph is written, q scaled by the
     * dot-product scale), its {@code bias} (2 qk + v) and the attention of every head, no mask. Output (b, n, v)
     * before o_proj. The node reads each head's slice of the projection where it is computed, so the split of q, k
     * and v, the head transposes and the bias add of {@link #attention} are not separate passes over memory.
     */
    String selfAttention(String xn, Shape qkvShape, Supplier<NDArray> qkvT, NDArray bias, int heads, long qk, long v) {
        if (!microsoftOps) {
            throw new IllegalStateException("selfAttention needs ONNX Runtime's operators");
        }
        String w = derivedWeights
                .computeIfAbsent(qkvT, c -> List.of(g.deferred(qkvShape, c)))
                .get(0);
        return g.microsoftOp(
                        "Attention",
                        List.of(xn, w, g.constant(bias)),
                        new boolean[] {true},
                        Attribute.of("num_heads", (long) heads),
                        Attribute.ints("qkv_hidden_sizes", qk, qk, v),
                        Attribute.of("scale", 1f)) // q is scaled in the weights
                .get(0);
    }
}
