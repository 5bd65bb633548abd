package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;

/**
 * A named tensor slot of a {@link Module}: a trainable parameter or a (non-trainable) buffer such as a fixed
 * position encoding. The array is owned by the model's {@link ai.djl.ndarray.NDManager} (never by an
 * {@link NDScope}: it outlives the scope it was made or loaded in); replacing it (when loading a state dict) closes
 * the previous array.
 */
public final class Parameter {
    private final Shape shape;
    private final boolean buffer;
    private final boolean derived;
    private NDArray array;
    /** Why the array was freed ({@link #release}), or null while it is held. */
    private String released;

    Parameter(NDArray array, boolean buffer, boolean derived) {
        this.array = array;
        this.shape = array.getShape();
        this.buffer = buffer;
        this.derived = derived;
    }

    /**
     * The current value.
     *
     * @throws IllegalStateException after {@link #release}, with the reason given there
     */
    public NDArray array() {
        if (released != null) {
            throw new IllegalStateException(released);
        }
        return array;
    }

    /**
     * Frees the value's engine memory now; {@link #array()} and {@link #load} then fail with {@code reason}. The
     * shape stays readable. A second call does nothing.
     *
     * @param reason one line saying why the weights are gone and what to do instead
     */
    public void release(String reason) {
        if (released == null) {
            array.close();
            released = reason;
        }
    }

    /** Whether {@link #release} freed the value. */
    public boolean isReleased() {
        return released != null;
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
     * True for derived buffers: computed from the config when the module is built, so a checkpoint may omit them
     * (see {@link Module#derivedBuffer}).
     */
    public boolean isDerived() {
        return derived;
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
        DataType type = array().getDataType();
        // duplicate() clones into libtorch-owned memory: arrays created from Java buffers only borrow theirs
        replace(values.getDataType() == type ? values.duplicate() : values.toType(type, true));
    }

    /**
     * Replaces the value with raw little-endian bytes of {@link #shape()} holding values of type {@code stored}, which
     * {@code fill} writes straight into engine memory (see {@link Tensors#filled}; converted to this parameter's data
     * type). The previous array is closed once the new one is complete; the gradient requirement carries over.
     *
     * @throws IOException as thrown by {@code fill}; the value is then unchanged
     */
    public void load(DataType stored, Tensors.Fill fill) throws IOException {
        replace(Tensors.filled(array().getManager(), shape, stored, array.getDataType(), fill));
    }

    /** Swaps in an owned array of the right shape and type, keeping it out of any enclosing NDScope. */
    private void replace(NDArray copy) {
        NDScope.unregister(copy);
        copy.attach(array.getManager());
        boolean grad = array.hasGradient();
        array.close();
        array = copy;
        if (grad) {
            array.setRequiresGradient(true);
        }
    }
}
