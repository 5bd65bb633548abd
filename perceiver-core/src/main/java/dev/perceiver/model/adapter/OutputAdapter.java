package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Module;

/** Transforms the generic decoder output of shape (b, O, F) into task-specific output (b, O, E) or similar. */
public abstract class OutputAdapter extends Module {
    protected OutputAdapter(NDManager manager) {
        super(manager);
    }

    /** (b, O, F) -> task output. */
    public abstract NDArray forward(NDArray x);
}
