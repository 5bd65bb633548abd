package dev.perceiver.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.perceiver.model.io.StateDicts;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW as torch.optim.AdamW (single-tensor path): per step t, {@code p *= 1 - lr*wd} (decoupled decay), then
 * {@code m = b1*m + (1-b1)*g}, {@code v = b2*v + (1-b2)*g*g},
 * {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}. With {@code decoupled = false} it is torch.optim.Adam
 * (decay added to the gradient). Moments live in the manager of the parameters (the model's manager) and are created
 * on the first step; parameters without a gradient yet are skipped, like torch's {@code grad is None}.
 */
public final class AdamW {
    private final Map<String, Parameter> params;
    private final AdamWConfig config;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private long step;

    /**
     * @param params trainable parameters under their state-dict keys (keys name the moments in checkpoints)
     */
    public AdamW(Map<String, Parameter> params, AdamWConfig config) {
        this.params = new LinkedHashMap<>(params);
        this.config = config;
        for (Map.Entry<String, Parameter> e : this.params.entrySet()) {
            if (e.getValue().isBuffer()) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' is a buffer, not trainable");
            }
        }
    }

    /** Marks every parameter as requiring a gradient. */
    public void attachGradients() {
        for (Parameter p : params.values()) {
            if (!p.array().hasGradient()) {
                p.array().setRequiresGradient(true);
            }
        }
    }

    /** Number of completed steps. */
    public long stepCount() {
        return step;
    }

    public AdamWConfig config() {
        return config;
    }

    /**
     * One update of every parameter with the learning rate {@code lr} (the schedule's current value). Call outside
     * a gradient collector; temporaries are closed before returning.
     */
    public void step(double lr) {
        step++;
        double b1 = config.beta1();
        double b2 = config.beta2();
        double bc1 = 1.0 - Math.pow(b1, step);
        double bc2Sqrt = Math.sqrt(1.0 - Math.pow(b2, step));
        float stepSize = (float) (lr / bc1);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray p = e.getValue().array();
                NDArray g = p.getGradient();
                if (config.weightDecay() != 0) {
                    if (config.decoupled()) {
                        p.muli((float) (1.0 - lr * config.weightDecay()));
                    } else {
                        g = g.add(p.mul((float) config.weightDecay()));
                    }
                }
                NDArray m = moment(expAvg, e.getKey(), p);
                NDArray v = moment(expAvgSq, e.getKey(), p);
                m.muli((float) b1).addi(g.mul((float) (1.0 - b1)));
                v.muli((float) b2).addi(g.mul(g).muli((float) (1.0 - b2)));
                NDArray denom = v.sqrt().divi((float) bc2Sqrt).addi((float) config.eps());
                p.subi(m.div(denom).muli(stepSize));
            }
        }
    }

    private static NDArray moment(Map<String, NDArray> state, String key, NDArray like) {
        NDArray m = state.get(key);
        if (m == null) {
            m = like.getManager().zeros(like.getShape(), like.getDataType());
            NDScope.unregister(m);
            state.put(key, m);
        }
        return m;
    }

    /** Resets every gradient to zero (in place, keeping the gradient buffers). */
    public void zeroGrad() {
        zeroGrad(params.values());
    }

    /** Resets the gradients of the given parameters to zero (a parameter without a gradient yet is skipped). */
    public static void zeroGrad(Iterable<Parameter> parameters) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Parameter p : parameters) {
                NDArray a = p.array();
                if (a.hasGradient()) {
                    a.getGradient().set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
                }
            }
        }
    }

    /** Optimizer state as tensors ({@code exp_avg.<key>}, {@code exp_avg_sq.<key>}) for a checkpoint. */
    public Map<String, TensorData> stateTensors() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        expAvg.forEach((k, v) -> out.put("exp_avg." + k, StateDicts.toTensorData(v)));
        expAvgSq.forEach((k, v) -> out.put("exp_avg_sq." + k, StateDicts.toTensorData(v)));
        return out;
    }

    /**
     * Restores the state saved by {@link #stateTensors()} and the step count.
     *
     * @param source file name for messages
     */
    public void loadState(Map<String, TensorData> tensors, long stepCount, String source) {
        if (stepCount < 0) {
            throw new IllegalArgumentException(source + ": optimizer step (" + stepCount + ") must be >= 0");
        }
        for (String k : tensors.keySet()) {
            String key =
                    k.startsWith("exp_avg_sq.") ? k.substring(11) : k.startsWith("exp_avg.") ? k.substring(8) : null;
            if (key == null || !params.containsKey(key)) {
                throw new IllegalArgumentException(source + ": unexpected optimizer tensor '" + k + "'");
            }
        }
        clear();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            load(tensors, "exp_avg.", e, expAvg, source);
            load(tensors, "exp_avg_sq.", e, expAvgSq, source);
        }
        step = stepCount;
    }

    private static void load(
            Map<String, TensorData> tensors,
            String prefix,
            Map.Entry<String, Parameter> e,
            Map<String, NDArray> state,
            String source) {
        TensorData t = tensors.get(prefix + e.getKey());
        if (t == null) {
            return;
        }
        if (!java.util.Arrays.equals(t.shape(), e.getValue().shape().getShape())) {
            throw new IllegalArgumentException(source + ": optimizer tensor '" + prefix + e.getKey() + "' has shape "
                    + java.util.Arrays.toString(t.shape()) + " but the parameter has "
                    + e.getValue().shape());
        }
        NDManager m = e.getValue().array().getManager();
        NDArray a = StateDicts.toArray(m, t);
        NDScope.unregister(a);
        state.put(e.getKey(), a);
    }

    /** Closes the moments. */
    public void clear() {
        expAvg.values().forEach(NDArray::close);
        expAvgSq.values().forEach(NDArray::close);
        expAvg.clear();
        expAvgSq.clear();
    }

    /** Parameters in update order. */
    public List<Parameter> parameters() {
        return List.copyOf(params.values());
    }
}
