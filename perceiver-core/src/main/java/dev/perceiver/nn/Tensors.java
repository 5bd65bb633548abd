package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one way from Java data (arrays, buffers, safetensors bytes) to engine arrays, which here always own their
 * memory. On the PyTorch engine {@code manager.create(float[] ...)} and {@code manager.create(ByteBuffer ...)} wrap
 * a Java (direct) buffer without copying; libtorch views of such an array (reshapes, slices, tensors saved for
 * backward) point into memory that the JVM frees once the wrapper is closed and collected. Every array returned here
 * is a copy owned by libtorch, made while the Java data is still reachable. Outside this class main code may not call
 * {@code NDManager.create} with Java data (ArchitectureTest in perceiver-cli enforces it).
 *
 * <p>The arrays belong to the given manager and, like every new array, to the innermost open
 * {@link ai.djl.ndarray.NDScope}.
 */
public final class Tensors {
    private Tensors() {}

    /** float32 array of {@code shape} owning a copy of {@code data} (row-major, {@code shape.size()} values). */
    public static NDArray owned(NDManager m, float[] data, Shape shape) {
        checkCount(data.length, shape);
        try (NDArray borrowed = m.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /** int64 array of {@code shape} owning a copy of {@code data} (row-major, {@code shape.size()} values). */
    public static NDArray owned(NDManager m, long[] data, Shape shape) {
        checkCount(data.length, shape);
        try (NDArray borrowed = m.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /** boolean array of {@code shape} owning a copy of {@code data} (row-major, {@code shape.size()} values). */
    public static NDArray owned(NDManager m, boolean[] data, Shape shape) {
        checkCount(data.length, shape);
        try (NDArray borrowed = m.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /**
     * An array of {@code shape} and {@code type} owning a copy of raw little-endian bytes, as stored in safetensors
     * files.
     *
     * @param data {@code shape.size() * type.getNumOfBytes()} bytes from its position to its limit; read, not moved
     */
    public static NDArray owned(NDManager m, ByteBuffer data, Shape shape, DataType type) {
        return owned(m, data, shape, type, type);
    }

    /**
     * An array of {@code shape} and type {@code as} owning the raw little-endian bytes of {@code data}, which hold
     * values of type {@code stored}: libtorch reads them in place and writes the (converted) copy, so a direct buffer
     * (such as a memory-mapped file region) is copied exactly once. A heap buffer is first staged in a direct one.
     *
     * @param data {@code shape.size() * stored.getNumOfBytes()} bytes from its position to its limit; read, not moved
     * @param stored the data type of the bytes
     * @param as the data type of the result
     */
    public static NDArray owned(NDManager m, ByteBuffer data, Shape shape, DataType stored, DataType as) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("tensor bytes are little-endian but this platform is "
                    + ByteOrder.nativeOrder() + "; big-endian platforms are not supported");
        }
        long expected = shape.size() * stored.getNumOfBytes();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("data has " + data.remaining() + " bytes but shape " + shape + " of "
                    + stored + " needs " + expected);
        }
        // the engine reads a direct buffer from its start address, whatever its position: hand it a slice
        ByteBuffer direct = data.isDirect() ? data.slice() : stage(data);
        try (NDArray borrowed = m.create(direct, shape, stored)) {
            return stored == as ? borrowed.duplicate() : borrowed.toType(as, true);
        }
    }

    private static ByteBuffer stage(ByteBuffer heap) {
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).order(ByteOrder.nativeOrder());
        direct.put(heap.duplicate()).flip();
        return direct;
    }

    private static void checkCount(int count, Shape shape) {
        if (count != shape.size()) {
            throw new IllegalArgumentException(
                    "data has " + count + " values but shape " + shape + " needs " + shape.size());
        }
    }
}
