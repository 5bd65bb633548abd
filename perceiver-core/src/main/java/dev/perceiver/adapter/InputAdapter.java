package dev.perceiver.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Module;

/**
 * Transforms and position-encodes task-specific input into the generic encoder input of shape (b, M, C), where
 * C = {@code num_input_channels}.
 */
public abstract class InputAdapter extends Module {
    private final int numInputChannels;

    protected InputAdapter(NDManager manager, int numInputChannels) {
        super(manager);
        Checks.positive("num_input_channels", numInputChannels);
        this.numInputChannels = numInputChannels;
    }

    /** Number of channels C of the adapted input. */
    public int numInputChannels() {
        return numInputChannels;
    }

    /** Task input -> (b, M, C). */
    public abstract NDArray forward(NDArray x);
}
