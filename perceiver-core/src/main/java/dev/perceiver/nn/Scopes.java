package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Frees the temporaries of one step of a forward pass as soon as the step returns. Every array an operation makes
 * stays in the innermost open {@link NDScope} until that scope closes, so a forward pass run in one scope holds all
 * its intermediate arrays (every layer's attention scores) until it ends; running each layer (or each chunk of
 * queries) through {@link #keep} bounds what is alive to one step's temporaries. Only for inference: autograd needs
 * nothing of the Java handles, but a step's result must not be a view of a module's cached array.
 */
public final class Scopes {
    private Scopes() {}

    /**
     * Runs {@code step} in a scope of its own: the arrays it makes are closed when it returns, except its result,
     * which moves to the enclosing scope (or, with none open, belongs only to its manager). The result must be an
     * array the step made, not one of its inputs or a parameter (that would be handed to the enclosing scope).
     */
    public static NDArray keep(Supplier<NDArray> step) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = step.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }
}
