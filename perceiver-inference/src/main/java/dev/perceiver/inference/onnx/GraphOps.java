package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.onnx.OnnxGraph.Attribute;
import dev.perceiver.model.blocks.Mlp;
import dev.perceiver.nn.LayerNorm;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layers every exported block is made of, written as ONNX nodes into one {@link OnnxGraph}: linear (one MatMul
 * with the weight stored transposed), layer norm (LayerNormalization), exact GELU, MLP and multi-head attention of
 * projected queries, keys and values. Shapes are (batch, positions, channels) unless a method says otherwise.
 */
final class GraphOps {
    private final OnnxGraph g;
    private final boolean microsoftOps;
    private final Map<NDArray, String> transposedWeights = new IdentityHashMap<>();

    /** Standard ONNX operators only. */
    GraphOps(OnnxGraph g) {
        this(g, false);
    }

    /**
     * @param microsoftOps whether ONNX Runtime's {@code com.microsoft} operators may be used where they save passes
     *     over memory (the model then loads in ONNX Runtime only)
     */
    GraphOps(OnnxGraph g, boolean microsoftOps) {
        this.g = g;
        this.microsoftOps = microsoftOps;
    }

    OnnxGraph graph() {
        return g;
    }

    /** Whether ONNX Runtime's {@code com.microsoft} operators may be used. */
    boolean microsoftOps() {
        return microsoftOps;
    }

    /** Swaps the first two axes of a rank-3 value: (b, n, C) to (n, b, C) and back. */
    String swapFirstAxes(String x) {
        return g.op("Transpose", List.of(x), Attribute.ints("perm", 1, 0, 2));
    }

    /** x (..., in) times weight (out, in) transposed, plus bias (out) when not null: (..., out). */
    String linear(String x, NDArray weight, NDArray bias) {
        // the transposed copy is made when the graph is written, once per weight (a shared block's is used again)
        String weightT = transposedWeights.computeIfAbsent(weight, w -> {
            long[] s = w.getShape().getShape();
            return g.deferred(new Shape(s[1], s[0]), () -> transposed(w));
        });
        return linearOfTransposed(x, weightT, bias);
    }

    /** x (..., in) times the initializer {@code weightT} (in, out), plus bias (out) when not null: (..., out). */
    String linearOfTransposed(String x, String weightT, NDArray bias) {
        String y = g.op("MatMul", List.of(x, weightT));
        return bias == null ? y : g.op("Add", List.of(y, g.constant(bias)));
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
        String h = linear(xn, mlp.fc1().weight().array(), bias(mlp.fc1()));
        return linear(gelu(h), mlp.fc2().weight().array(), null);
    }

    /** The pre-norm MLP (without its residual). */
    String mlp(String x, Mlp mlp) {
        String h = linear(layerNorm(x, mlp.norm()), mlp.fc1().weight().array(), bias(mlp.fc1()));
        return linear(gelu(h), mlp.fc2().weight().array(), bias(mlp.fc2()));
    }

    static NDArray bias(dev.perceiver.nn.Linear linear) {
        return linear.bias() == null ? null : linear.bias().array();
    }

    String add(String a, String b) {
        return g.op("Add", List.of(a, b));
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
}
