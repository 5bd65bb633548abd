package dev.perceiver.tasks.multimodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.InputAdapter;

/**
 * The input adapter of an encoder whose input is already in its generic form (b, M, C), made by a preprocessor that
 * needs more than one input array (transformers' {@code PerceiverModel} without an input preprocessor): checks the
 * channels and passes the array through. No parameters.
 */
final class PreprocessedInputAdapter extends InputAdapter {
    PreprocessedInputAdapter(NDManager manager, int numInputChannels) {
        super(manager, numInputChannels);
    }

    /** (b, M, C) -> the same array; an error names the shape and C. */
    @Override
    public NDArray forward(NDArray x) {
        if (x.getShape().dimension() != 3 || x.getShape().get(2) != numInputChannels()) {
            throw new IllegalArgumentException(
                    "encoder input shape " + x.getShape() + " must be (batch, M, " + numInputChannels() + ")");
        }
        return x;
    }
}
