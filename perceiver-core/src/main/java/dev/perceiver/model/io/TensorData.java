package dev.perceiver.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor: the dtype name as written in a safetensors header, the shape, and its raw
 * little-endian bytes.
 *
 * <p>Instances are immutable: the shape is copied on the way in and out, and {@link #data()}
 * returns a fresh read-only little-endian view with position 0 and limit equal to the byte size.
 * The constructor keeps a view of the given buffer (no copy), so the caller must not modify that
 * buffer afterwards. {@code equals}/{@code hashCode} compare dtype, shape and bytes by content.
 *
 * @param dtype one of {@code F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL}
 * @param shape non-negative dimensions; {@code []} is a scalar with one element
 * @param data exactly {@code numel * bytesPerElement(dtype)} remaining bytes, little-endian
 */
public record TensorData(String dtype, long[] shape, ByteBuffer data) implements TensorSource {

    /** The dtype names this class understands, in the order they are reported in messages. */
    static final String SUPPORTED_DTYPES = "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL";

    /**
     * Validates and stores the tensor.
     *
     * @param dtype one of {@code F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL}
     * @param shape non-negative dimensions (copied)
     * @param data the bytes from its position to its limit (viewed, not copied)
     * @throws IllegalArgumentException if the dtype is unknown, a dimension is negative, the element
     *     count overflows, or the buffer size does not match shape and dtype
     */
    public TensorData {
        if (dtype == null) {
            throw new IllegalArgumentException("dtype is null");
        }
        if (shape == null) {
            throw new IllegalArgumentException("shape is null");
        }
        if (data == null) {
            throw new IllegalArgumentException("data is null");
        }
        int bytesPerElement = bytesPerElement(dtype);
        shape = shape.clone();
        long byteSize;
        try {
            byteSize = Math.multiplyExact(numel(shape), (long) bytesPerElement);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " of dtype " + dtype + " is too large");
        }
        if (data.remaining() != byteSize) {
            throw new IllegalArgumentException("data has "
                    + data.remaining()
                    + " bytes but dtype "
                    + dtype
                    + " and shape "
                    + Arrays.toString(shape)
                    + " need "
                    + byteSize
                    + " bytes");
        }
        data = data.slice().asReadOnlyBuffer();
    }

    /**
     * Returns a copy of the shape.
     *
     * @return the dimensions of this tensor
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Returns a fresh read-only view of the bytes: position 0, limit = byte size, little-endian order.
     * Views are independent, so moving the position of one does not affect later calls.
     *
     * @return the raw little-endian tensor bytes
     */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Returns the number of elements (the product of the shape; 1 for a scalar).
     *
     * @return the element count
     */
    public long numel() {
        return numel(shape);
    }

    /**
     * Returns the size in bytes of the data.
     *
     * @return {@code numel() * bytesPerElement(dtype())}
     */
    @Override
    public long byteSize() {
        return data.capacity();
    }

    /** Copies bytes {@code [offset, offset + dst.remaining())} of {@link #data()} into {@code dst}. */
    @Override
    public void read(long offset, ByteBuffer dst) {
        checkRange(offset, dst.remaining(), byteSize());
        ByteBuffer src = data.duplicate();
        src.position((int) offset).limit((int) offset + dst.remaining());
        dst.put(src);
    }

    /** Checks that {@code [offset, offset + length)} lies within {@code [0, byteSize)}. */
    static void checkRange(long offset, long length, long byteSize) {
        if (offset < 0 || length < 0 || offset > byteSize - length) {
            throw new IndexOutOfBoundsException(
                    "bytes [" + offset + ", " + (offset + length) + ") of a tensor of " + byteSize + " bytes");
        }
    }

    /**
     * Returns the size in bytes of one element of the given dtype.
     *
     * @param dtype a safetensors dtype name such as {@code "F32"}
     * @return 1, 2, 4 or 8
     * @throws IllegalArgumentException for an unknown dtype
     */
    public static int bytesPerElement(String dtype) {
        if (dtype == null) {
            throw new IllegalArgumentException("dtype is null");
        }
        switch (dtype) {
            case "F64":
            case "I64":
                return 8;
            case "F32":
            case "I32":
                return 4;
            case "F16":
            case "BF16":
            case "I16":
                return 2;
            case "I8":
            case "U8":
            case "BOOL":
                return 1;
            default:
                throw new IllegalArgumentException(
                        "unknown dtype '" + dtype + "' (supported: " + SUPPORTED_DTYPES + ")");
        }
    }

    /**
     * Creates an {@code F32} tensor.
     *
     * @param shape the dimensions
     * @param values row-major values, exactly {@code numel(shape)} of them
     * @return the tensor
     * @throws IllegalArgumentException if the value count does not match the shape
     */
    public static TensorData ofFloats(long[] shape, float[] values) {
        checkCount(shape, values.length);
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, 4));
        buf.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        return new TensorData("F32", shape, buf);
    }

    /**
     * Creates an {@code I64} tensor.
     *
     * @param shape the dimensions
     * @param values row-major values, exactly {@code numel(shape)} of them
     * @return the tensor
     * @throws IllegalArgumentException if the value count does not match the shape
     */
    public static TensorData ofLongs(long[] shape, long[] values) {
        checkCount(shape, values.length);
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, 8));
        buf.order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(values);
        return new TensorData("I64", shape, buf);
    }

    /**
     * Creates a {@code BOOL} tensor (one byte per value, 0 or 1).
     *
     * @param shape the dimensions
     * @param values row-major values, exactly {@code numel(shape)} of them
     * @return the tensor
     * @throws IllegalArgumentException if the value count does not match the shape
     */
    public static TensorData ofBooleans(long[] shape, boolean[] values) {
        checkCount(shape, values.length);
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = values[i] ? (byte) 1 : (byte) 0;
        }
        return new TensorData("BOOL", shape, ByteBuffer.wrap(bytes));
    }

    /**
     * Returns the values as floats: {@code F32} directly, {@code F16}, {@code BF16} and {@code F64}
     * converted.
     *
     * @return a new array of {@code numel()} values
     * @throws IllegalStateException if the dtype is not a floating-point type
     */
    public float[] toFloatArray() {
        ByteBuffer buf = data();
        float[] out = new float[(int) numel()];
        switch (dtype) {
            case "F32":
                buf.asFloatBuffer().get(out);
                break;
            case "F64":
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) buf.getDouble(i * 8);
                }
                break;
            case "F16":
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(buf.getShort(i * 2));
                }
                break;
            case "BF16":
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((buf.getShort(i * 2) & 0xffff) << 16);
                }
                break;
            default:
                throw new IllegalStateException(
                        "cannot read dtype " + dtype + " as floats (F32, F64, F16 or BF16 expected)");
        }
        return out;
    }

    /**
     * Returns the values as longs: {@code I64}, {@code I32}, {@code I16}, {@code I8} (sign-extended),
     * {@code U8} (unsigned) and {@code BOOL} (0 or 1).
     *
     * @return a new array of {@code numel()} values
     * @throws IllegalStateException if the dtype is not an integer or boolean type
     */
    public long[] toLongArray() {
        ByteBuffer buf = data();
        long[] out = new long[(int) numel()];
        switch (dtype) {
            case "I64":
                buf.asLongBuffer().get(out);
                break;
            case "I32":
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.getInt(i * 4);
                }
                break;
            case "I16":
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.getShort(i * 2);
                }
                break;
            case "I8":
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.get(i);
                }
                break;
            case "U8":
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.get(i) & 0xff;
                }
                break;
            case "BOOL":
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.get(i) != 0 ? 1L : 0L;
                }
                break;
            default:
                throw new IllegalStateException(
                        "cannot read dtype " + dtype + " as longs (I64, I32, I16, I8, U8 or BOOL expected)");
        }
        return out;
    }

    /**
     * Returns the values of a {@code BOOL} tensor; any non-zero byte is {@code true}.
     *
     * @return a new array of {@code numel()} values
     * @throws IllegalStateException if the dtype is not {@code BOOL}
     */
    public boolean[] toBooleanArray() {
        if (!"BOOL".equals(dtype)) {
            throw new IllegalStateException("cannot read dtype " + dtype + " as booleans (BOOL expected)");
        }
        ByteBuffer buf = data();
        boolean[] out = new boolean[(int) numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = buf.get(i) != 0;
        }
        return out;
    }

    /** Compares dtype, shape and bytes by content. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TensorData)) {
            return false;
        }
        TensorData other = (TensorData) o;
        return dtype.equals(other.dtype) && Arrays.equals(shape, other.shape) && data.equals(other.data);
    }

    /** Hashes dtype, shape and bytes by content. */
    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), data);
    }

    /** Describes dtype, shape and byte size (not the values). */
    @Override
    public String toString() {
        return "TensorData[dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", bytes=" + data.capacity() + "]";
    }

    /** Product of the dimensions; IllegalArgumentException on negative entries or overflow. */
    static long numel(long[] shape) {
        long n = 1;
        boolean overflow = false;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " has a negative dimension " + d);
            }
        }
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
            if (!overflow) {
                long hi = Math.multiplyHigh(n, d);
                long lo = n * d;
                if (hi != 0 || lo < 0) {
                    overflow = true;
                } else {
                    n = lo;
                }
            }
        }
        if (overflow) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many elements");
        }
        return n;
    }

    private static void checkCount(long[] shape, int count) {
        if (shape == null) {
            throw new IllegalArgumentException("shape is null");
        }
        long n = numel(shape);
        if (n != count) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values but " + count + " given");
        }
    }

    /** Converts IEEE 754 half-precision bits to a float (exact). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
