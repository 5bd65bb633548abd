package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Ops;

/**
 * Residual connection around {@code module}: {@code input + dropout(module(input))}, with dropout active only in
 * training. The wrapped module is registered as {@code module}.
 *
 * @param <M> the wrapped module
 */
public final class Residual<M extends Module> extends Module {
    private final M module;
    private final double dropout;

    public Residual(NDManager manager, M module, double dropout) {
        super(manager);
        Checks.probability("residual_dropout", dropout);
        this.module = child("module", module);
        this.dropout = dropout;
    }

    public M module() {
        return module;
    }

    /** {@code input + dropout(output)}; shapes broadcast as in the reference. */
    public NDArray add(NDArray input, NDArray output) {
        return Ops.dropout(output, dropout, isTraining()).add(input);
    }
}
