package dev.perceiver.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
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

    /** Writes an array's raw bytes into a buffer. */
    @FunctionalInterface
    public interface Fill {
        /**
         * Fills {@code dst} from its position (0) to its limit (the array's byte size).
         *
         * @param dst little-endian; its position must end at its limit
         */
        void into(ByteBuffer dst) throws IOException;
    }

    /**
     * An array of {@code shape} and type {@code as} whose raw little-endian bytes, holding values of type
     * {@code stored}, {@code fill} writes straight into the memory of a new libtorch array (converted afterwards when
     * the types differ): reading a file this way copies each byte once, with no Java buffer of the array's size. Where
     * the engine does not expose the array's memory (not libtorch, or not on the CPU) the bytes are staged in a
     * direct buffer first.
     *
     * @throws IOException as thrown by {@code fill}; nothing is left allocated
     * @throws IllegalStateException if {@code fill} did not fill the buffer
     */
    public static NDArray filled(NDManager m, Shape shape, DataType stored, DataType as, Fill fill) throws IOException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("tensor bytes are little-endian but this platform is "
                    + ByteOrder.nativeOrder() + "; big-endian platforms are not supported");
        }
        long bytes = shape.size() * stored.getNumOfBytes();
        if (!writable(m) || bytes == 0) {
            ByteBuffer staged =
                    ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
            fillAll(fill, staged);
            return owned(m, staged.flip(), shape, stored, as);
        }
        NDArray target = m.create(shape, stored); // uninitialised libtorch memory
        try {
            // on a contiguous CPU array libtorch hands out a view of the array's own memory
            ByteBuffer view = target.toByteBuffer(true);
            if (!view.isDirect() || view.capacity() != bytes) {
                throw new IllegalStateException("libtorch did not expose the memory of a " + shape + " " + stored
                        + " array (" + view.capacity() + " bytes, direct " + view.isDirect() + ")");
            }
            fillAll(fill, view.clear().order(ByteOrder.LITTLE_ENDIAN));
            if (stored == as) {
                return target;
            }
            try (NDArray filled = target) {
                return filled.toType(as, true);
            }
        } catch (IOException | RuntimeException | Error e) {
            target.close();
            throw e;
        }
    }

    /** Whether {@link NDArray#toByteBuffer(boolean)} views the memory of the manager's arrays. */
    private static boolean writable(NDManager m) {
        return "PyTorch".equals(m.getEngine().getEngineName())
                && Device.Type.CPU.equals(m.getDevice().getDeviceType());
    }

    private static void fillAll(Fill fill, ByteBuffer dst) throws IOException {
        fill.into(dst);
        if (dst.hasRemaining()) {
            throw new IllegalStateException(
                    "the fill left " + dst.remaining() + " of " + dst.capacity() + " bytes unwritten");
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
