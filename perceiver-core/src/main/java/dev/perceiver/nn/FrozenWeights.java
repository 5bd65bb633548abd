package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
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
        NDArray[] w = halfCopies(linear);
        return halfProduct(x, w[0], w[1]);
    }

    /**
     * {@code second(activation(first(x)))} with the float16 copies and a float16 intermediate (one conversion in, one
     * out), when this scope is float16 and x has few rows; else null.
     */
    public NDArray applyChain(
            Linear first, java.util.function.UnaryOperator<NDArray> activation, Linear second, NDArray x) {
        if (!halfFor(x, first.inFeatures())) {
            return null;
        }
        NDArray[] w1 = halfCopies(first);
        NDArray[] w2 = halfCopies(second);
        NDArray h = activation.apply(Linear.apply(x.toType(DataType.FLOAT16, false), w1[0], w1[1]));
        return Linear.apply(h, w2[0], w2[1]).toType(DataType.FLOAT32, false);
    }

    /** The float16 weight and bias (or null) of {@code linear}, made at first use. */
    private NDArray[] halfCopies(Linear linear) {
        return halfCopies.computeIfAbsent(linear, l -> new NDArray[] {
            half(l.weight().array()), l.bias() == null ? null : half(l.bias().array())
        });
    }

    /** The joint output of {@code linears} on x (..., sum out_l) with stacked weights made once. */
    public NDArray applyFused(NDArray x, Linear... linears) {
        NDArray[] w = fused.computeIfAbsent(List.of(linears), key -> {
            NDArray bias = Linear.stackedBias(linears);
            return new NDArray[] {keep(Linear.stackedWeight(linears)), bias == null ? null : keep(bias), null, null};
        });
        if (!halfFor(x, linears[0].inFeatures())) {
            return Linear.apply(x, w[0], w[1]);
        }
        if (w[2] == null) {
            w[2] = half(w[0]);
            w[3] = w[1] == null ? null : half(w[1]);
        }
        return halfProduct(x, w[2], w[3]);
    }

    /** {@code x W^T + b} of float32 x with float16 weights, returned as float32. */
    private static NDArray halfProduct(NDArray x, NDArray w16, NDArray b16) {
        return Linear.apply(x.toType(DataType.FLOAT16, false), w16, b16).toType(DataType.FLOAT32, false);
    }

    /** A float16 copy of {@code a}, kept by this scope. */
    private NDArray half(NDArray a) {
        return keep(a.toType(DataType.FLOAT16, true));
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
