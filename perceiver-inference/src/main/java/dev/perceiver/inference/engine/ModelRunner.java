package dev.perceiver.inference.engine;

import ai.djl.ndarray.NDArray;

/**
 * The inference forward pass of one task model on one engine (see {@link ModelRunners#open}): the input (and pad
 * mask) in, the model's output out, as {@link dev.perceiver.model.PerceiverIO#forward} defines them. Results belong
 * to the input's manager. {@code forward} may run on several threads at once when each passes inputs of its own
 * manager (an ONNX Runtime session takes concurrent calls, libtorch's forward pass only reads the weights; Spark
 * executors share one runner between their task slots); {@code close} only when no call is running.
 */
public interface ModelRunner extends AutoCloseable {
    /**
     * @param x task input, e.g. images (b, *image_shape) float32 or token ids (b, n) int64
     * @param padMask (b, n) boolean, true = padding, or null
     * @return the model's output, e.g. logits (b, num_classes) or (b, n, vocab_size)
     */
    NDArray forward(NDArray x, NDArray padMask);

    /** The engine that runs the forward pass (never AUTO). */
    Engine engine();

    /** Releases the engine's resources (not the model's). */
    @Override
    void close();
}
