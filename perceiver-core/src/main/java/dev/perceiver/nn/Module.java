package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of every building block: a tree of named child modules and named parameters whose dotted paths are the
 * reference implementation's {@code state_dict()} keys (e.g. {@code cross_attn_1.0.module.attention.q_proj.weight}).
 * Parameters live in the {@link NDManager} given at construction and outlive any {@link NDScope} that is open while
 * the module is built or loaded: they are closed with that manager only.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    /** Manager that owns the parameters of this module. */
    protected final NDManager manager;

    private boolean training;

    protected Module(NDManager manager) {
        this.manager = manager;
    }

    /**
     * Registers a trainable parameter initialised with {@code init}, which moves to this module's manager and leaves
     * the innermost open NDScope (the one {@code init} was made in).
     */
    protected Parameter parameter(String name, NDArray init) {
        return register(name, new Parameter(init, false, false));
    }

    /** Registers a buffer (saved in the state dict, never trained); {@code value} moves as in {@link #parameter}. */
    protected Parameter buffer(String name, NDArray value) {
        return register(name, new Parameter(value, true, false));
    }

    /**
     * Registers a derived buffer: a pure function of the module's config (e.g. a fixed position encoding), saved in
     * the state dict like any buffer, but a checkpoint may omit it (it then keeps the value computed here).
     */
    protected Parameter derivedBuffer(String name, NDArray value) {
        return register(name, new Parameter(value, true, true));
    }

    private Parameter register(String name, Parameter p) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalStateException("duplicate name " + name);
        }
        p.array().attach(manager);
        // an NDScope open while the model is built would close the parameter with its scope
        NDScope.unregister(p.array());
        parameters.put(name, p);
        return p;
    }

    /** Registers a child module under {@code name} and returns it. */
    protected <M extends Module> M child(String name, M module) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalStateException("duplicate name " + name);
        }
        children.put(name, module);
        return module;
    }

    /** The manager that owns this module's parameters; per-call work should use a sub-manager of it. */
    public NDManager manager() {
        return manager;
    }

    /** Child modules in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** All parameters and buffers of this module and its children, under their state-dict keys, in order. */
    public Map<String, Parameter> stateDict() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, v) -> v.collect(prefix + k + ".", out));
    }

    /** Trainable parameters (buffers excluded), in state-dict order. */
    public List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : stateDict().values()) {
            if (!p.isBuffer()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Number of trainable scalar parameters. */
    public long numParameters() {
        long n = 0;
        for (Parameter p : trainableParameters()) {
            n += p.shape().size();
        }
        return n;
    }

    /**
     * Frees the engine memory of every parameter and buffer of this module and its children (see
     * {@link Parameter#release}), for a model whose forward pass now runs elsewhere (an ONNX Runtime session made
     * from it); its config and shapes stay readable, and every use of a weight then fails with {@code reason}.
     *
     * @param reason one line saying why the weights are gone and what to do instead
     */
    public void releaseWeights(String reason) {
        stateDict().values().forEach(p -> p.release(reason));
    }

    /** Switches dropout (and other training-only behaviour) on or off for this module and all children. */
    public void setTraining(boolean training) {
        this.training = training;
        children.values().forEach(c -> c.setTraining(training));
    }

    /** Whether the module is in training mode. */
    public boolean isTraining() {
        return training;
    }

    /**
     * Computes an array with a temporary manager (so intermediate arrays are freed at once) and moves the result
     * into this module's manager.
     */
    protected NDArray compute(java.util.function.Function<NDManager, NDArray> fn) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray result = fn.apply(tmp);
            result.attach(manager);
            return result;
        }
    }

    /** Normal(0, std) initialised float32 array of the given shape. */
    protected NDArray normal(double std, long... shape) {
        return manager.randomNormal(0f, (float) std, new Shape(shape), DataType.FLOAT32);
    }
}
