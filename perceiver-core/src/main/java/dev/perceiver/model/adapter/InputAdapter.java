package dev.perceiver.model.adapter;

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

    /**
     * Task input -> the same (b, M, C) array split into per-example and shared channels, or null when this adapter
     * has no shared channels. Encoders use it to project keys and values of the shared channels once per batch.
     */
    public FactoredInput forwardFactored(NDArray x) {
        return null;
    }
}
