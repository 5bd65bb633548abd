package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A named tensor slot of a {@link Module}: a trainable parameter or a (non-trainable) buffer such as a fixed
 * position encoding. The array is owned by the model's {@link ai.djl.ndarray.NDManager}; replacing it (when
 * loading a state dict) closes the previous array.
 */
public final class Parameter {
    private final Shape shape;
    private final boolean buffer;
    private NDArray array;

    Parameter(NDArray array, boolean buffer) {
        this.array = array;
        this.shape = array.getShape();
        this.buffer = buffer;
    }

    /** The current value. */
    public NDArray array() {
        return array;
    }

    /** Expected shape; loading a tensor of another shape is an error. */
    public Shape shape() {
        return shape;
    }

    /** True for buffers (not trained, no gradient), false for trainable parameters. */
    public boolean isBuffer() {
        return buffer;
    }

    /**
     * Replaces the value with a copy of {@code values} converted to this parameter's data type; the previous array
     * is closed. The gradient requirement of the previous array carries over.
     *
     * @param values array of exactly {@link #shape()}
     */
    public void load(NDArray values) {
        if (!values.getShape().equals(shape)) {
            throw new IllegalArgumentException("shape " + values.getShape() + " does not match expected " + shape);
        }
        // A real copy: on PyTorch, toType to the same type returns an alias even when a copy is asked for, and
        // arrays created from Java buffers only borrow that memory, which is freed once the source is closed.
        NDArray copy = values.getDataType() == array.getDataType() ? values.duplicate()
                : values.toType(array.getDataType(), false);
        copy.attach(array.getManager());
        boolean grad = array.hasGradient();
        array.close();
        array = copy;
        if (grad) {
            array.setRequiresGradient(true);
        }
    }
}
