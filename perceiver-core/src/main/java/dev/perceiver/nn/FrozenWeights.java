package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scope, per thread, in which a model's weights are constant (e.g. one generation call), so that linear layers
 * may use copies of their weights prepared once instead of on every call:
 * <ul>
 * <li>fused projections ({@code [l(x) for l in linears]} of several linear layers on one input, see
 * {@code MultiHeadAttention.projectFused}) use the stacked weights made at their first use, instead of stacking them
 * on every call;</li>
 * <li>while {@link #halfPrecision} is on, a linear layer applied to at most {@link #MAX_HALF_ROWS} rows (a decoding
 * step) multiplies with float16 copies of its weights (made at first use) and returns float32; larger inputs and all
 * other operations stay float32.</li>
 * </ul>
 *
 * <p>Why float16: a decoding step of batch 1 reads every weight once and does two floating-point operations per
 * weight, so its speed is bounded by memory bandwidth; half the bytes per weight is nearly half the time. The cost is
 * float16 rounding (about 5e-4 relative) of the weights and of each such layer's input and output; the README's
 * benchmark section gives the measured effect on logits and generated tokens.
 *
 * <p>The copies reflect the weights when they are made; changing the weights inside the scope is not supported.
 * They are freed when the scope closes. Other threads using the same model are not affected.
 */
public final class FrozenWeights implements AutoCloseable {
    /** With half precision on, inputs with at most this many rows use the float16 copies. */
    public static final long MAX_HALF_ROWS = 16;

    private static final ThreadLocal<Deque<FrozenWeights>> ACTIVE = ThreadLocal.withInitial(ArrayDeque::new);

    private final NDManager manager;
    private boolean half;
    private final Map<Linear, NDArray[]> halfCopies = new IdentityHashMap<>();
    private final Map<List<Linear>, NDArray[]> fused = new HashMap<>();

    private FrozenWeights(Module model) {
        manager = model.manager().newSubManager();
    }

    /** Opens the scope for {@code model} on this thread, half precision off. */
    public static FrozenWeights of(Module model) {
        FrozenWeights f = new FrozenWeights(model);
        ACTIVE.get().push(f);
        return f;
    }

    /** Switches the use of float16 weight copies for few-row inputs on or off. */
    public void halfPrecision(boolean on) {
        half = on;
    }

    /** Whether float16 weight copies are in use for few-row inputs. */
    public boolean isHalfPrecision() {
        return half;
    }

    /** The innermost scope open on this thread, or null. */
    public static FrozenWeights active() {
        Deque<FrozenWeights> a = ACTIVE.get();
        return a.isEmpty() ? null : a.peek();
    }

    private boolean halfFor(NDArray x, long inFeatures) {
        return half && x.size() <= MAX_HALF_ROWS * inFeatures;
    }

    /** {@code linear(x)}, in float16 when this scope is float16 and x has few rows; else null. */
    NDArray apply(Linear linear, NDArray x) {
        if (!halfFor(x, linear.inFeatures())) {
            return null;
        }
        return applyHalf(linear, x.toType(DataType.FLOAT16, false)).toType(DataType.FLOAT32, false);
    }

    /**
     * {@code second(activation(first(x)))} with the float16 copies and a float16 intermediate (one conversion in, one
     * out), when this scope is float16 and x has few rows; else null.
     */
    public NDArray applyChain(Linear first, java.util.function.UnaryOperator<NDArray> activation, Linear second,
            NDArray x) {
        if (!halfFor(x, first.inFeatures())) {
            return null;
        }
        NDArray h = activation.apply(applyHalf(first, x.toType(DataType.FLOAT16, false)));
        return applyHalf(second, h).toType(DataType.FLOAT32, false);
    }

    /** {@code linear(x16)} with the float16 copies of its weights (made at first use): float16 in and out. */
    private NDArray applyHalf(Linear linear, NDArray x16) {
        NDArray[] w = halfCopies.get(linear);
        if (w == null) {
            w = new NDArray[] {keep(linear.weight().array().toType(DataType.FLOAT16, true)),
                    linear.bias() == null ? null : keep(linear.bias().array().toType(DataType.FLOAT16, true))};
            halfCopies.put(linear, w);
        }
        return Linear.apply(x16, w[0], w[1]);
    }

    /** The joint output of {@code linears} on x (..., sum out_l) with stacked weights made once. */
    public NDArray applyFused(NDArray x, Linear... linears) {
        List<Linear> key = List.of(linears);
        boolean h = halfFor(x, linears[0].inFeatures());
        NDArray[] w = fused.get(key);
        if (w == null) {
            NDList ws = new NDList();
            NDList bs = new NDList();
            boolean anyBias = false;
            for (Linear l : linears) {
                anyBias |= l.bias() != null;
            }
            for (Linear l : linears) {
                ws.add(l.weight().array());
                if (anyBias) {
                    // a layer without bias contributes zeros, so that the stacked bias lines up with the weights
                    bs.add(l.bias() != null ? l.bias().array()
                            : x.getManager().zeros(new ai.djl.ndarray.types.Shape(l.outFeatures())));
                }
            }
            NDArray weight = NDArrays.concat(ws, 0);
            NDArray bias = anyBias ? NDArrays.concat(bs, 0) : null;
            w = new NDArray[] {keep(weight), bias == null ? null : keep(bias), null, null};
            fused.put(key, w);
        }
        if (h && w[2] == null) {
            w[2] = keep(w[0].toType(DataType.FLOAT16, true));
            w[3] = w[1] == null ? null : keep(w[1].toType(DataType.FLOAT16, true));
        }
        if (h) {
            return Linear.apply(x.toType(DataType.FLOAT16, false), w[2], w[3]).toType(DataType.FLOAT32, false);
        }
        return Linear.apply(x, w[0], w[1]);
    }

    /** Moves an array made inside some step's NDScope to this scope's manager. */
    private NDArray keep(NDArray a) {
        NDScope.unregister(a);
        a.attach(manager);
        return a;
    }

    /** Frees the copies; linear layers use their own weights again. */
    @Override
    public void close() {
        ACTIVE.get().remove(this);
        manager.close();
    }
}
