package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays from Java data that own their memory. On the PyTorch engine {@code manager.create(float[] ...)} wraps a
 * Java direct buffer without copying; libtorch views of such an array (reshapes, slices, tensors saved for
 * backward) point into memory that the JVM frees once the wrapper is closed and collected. These copies are owned
 * by libtorch.
 */
public final class Tensors {
    private Tensors() {}

    /** float32 array of {@code shape} owning a copy of {@code data}. */
    public static NDArray owned(NDManager m, float[] data, Shape shape) {
        try (NDArray borrowed = m.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /** int64 array of {@code shape} owning a copy of {@code data}. */
    public static NDArray owned(NDManager m, long[] data, Shape shape) {
        try (NDArray borrowed = m.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /** boolean array of {@code shape} owning a copy of {@code data}. */
    public static NDArray owned(NDManager m, boolean[] data, Shape shape) {
        try (NDArray borrowed = m.create(data, shape)) {
            return borrowed.duplicate();
        }
    }
}
