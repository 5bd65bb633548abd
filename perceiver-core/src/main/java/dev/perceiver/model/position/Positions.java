package dev.perceiver.model.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Absolute token positions. */
public final class Positions {
    private Positions() {}

    /**
     * Positions {@code 0..n-1} for each of {@code b} sequences, shifted left by {@code shift} (the number of
     * left-padding tokens per sequence) and clamped at 0.
     *
     * @param shift int64 array of shape (b, 1), or null for no shift
     * @return int64 array of shape (b, n)
     */
    public static NDArray positions(NDManager manager, long b, long n, NDArray shift) {
        NDArray pos = manager.arange(0, n, 1, DataType.INT64).reshape(1, n).repeat(0, b);
        if (shift != null) {
            if (!shift.getShape().equals(new Shape(b, 1))) {
                throw new IllegalArgumentException(
                        "shift must have shape " + new Shape(b, 1) + " but has shape " + shift.getShape());
            }
            pos = pos.sub(shift.toType(DataType.INT64, false));
        }
        return pos.maximum(0);
    }
}
