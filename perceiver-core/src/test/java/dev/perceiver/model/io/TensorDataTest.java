package dev.perceiver.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class TensorDataTest {

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void bytesPerElementCoversAllDtypes() {
        assertThat(TensorData.bytesPerElement("F64")).isEqualTo(8);
        assertThat(TensorData.bytesPerElement("I64")).isEqualTo(8);
        assertThat(TensorData.bytesPerElement("F32")).isEqualTo(4);
        assertThat(TensorData.bytesPerElement("I32")).isEqualTo(4);
        assertThat(TensorData.bytesPerElement("F16")).isEqualTo(2);
        assertThat(TensorData.bytesPerElement("BF16")).isEqualTo(2);
        assertThat(TensorData.bytesPerElement("I16")).isEqualTo(2);
        assertThat(TensorData.bytesPerElement("I8")).isEqualTo(1);
        assertThat(TensorData.bytesPerElement("U8")).isEqualTo(1);
        assertThat(TensorData.bytesPerElement("BOOL")).isEqualTo(1);
        assertThatThrownBy(() -> TensorData.bytesPerElement("f32"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown dtype 'f32'");
    }

    @Test
    void constructorValidates() {
        assertThatThrownBy(() -> new TensorData("Q8", new long[] {1}, le(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown dtype 'Q8'");
        assertThatThrownBy(() -> new TensorData("F32", new long[] {2, -1}, le(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative dimension -1");
        assertThatThrownBy(() -> new TensorData("F32", new long[] {2, 2}, le(12)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data has 12 bytes but dtype F32 and shape [2, 2] need 16 bytes");
        assertThatThrownBy(() -> new TensorData("F32", new long[] {1L << 40, 1L << 40}, le(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too many elements");
        assertThatThrownBy(() -> new TensorData(null, new long[] {1}, le(4)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TensorData("F32", null, le(4))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TensorData("F32", new long[] {1}, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void numelOfScalarAndEmptyTensors() {
        assertThat(new TensorData("F32", new long[0], le(4)).numel()).isEqualTo(1);
        assertThat(new TensorData("F32", new long[] {3, 0, 5}, le(0)).numel()).isZero();
        // A zero dimension makes the product 0 even when the other dimensions are huge.
        assertThat(new TensorData("F32", new long[] {1L << 40, 1L << 40, 0}, le(0)).numel())
                .isZero();
        assertThat(TensorData.ofFloats(new long[] {2, 3}, new float[6]).numel()).isEqualTo(6);
    }

    @Test
    void factoriesRoundTrip() {
        TensorData f = TensorData.ofFloats(new long[] {2, 2}, new float[] {1f, -2.5f, Float.NaN, 1e-30f});
        assertThat(f.dtype()).isEqualTo("F32");
        assertThat(f.shape()).containsExactly(2, 2);
        assertThat(f.toFloatArray()).containsExactly(1f, -2.5f, Float.NaN, 1e-30f);
        assertThat(f.data().getFloat(4)).isEqualTo(-2.5f);

        TensorData l = TensorData.ofLongs(new long[] {3}, new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE});
        assertThat(l.dtype()).isEqualTo("I64");
        assertThat(l.toLongArray()).containsExactly(Long.MIN_VALUE, 0, Long.MAX_VALUE);

        TensorData b = TensorData.ofBooleans(new long[] {1, 3}, new boolean[] {true, false, true});
        assertThat(b.dtype()).isEqualTo("BOOL");
        assertThat(b.toBooleanArray()).containsExactly(true, false, true);
        assertThat(b.toLongArray()).containsExactly(1, 0, 1);
        assertThat(b.byteSize()).isEqualTo(3);

        assertThatThrownBy(() -> TensorData.ofFloats(new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 4 values but 3 given");
    }

    @Test
    void convertsHalfBfloatAndDoubleToFloat() {
        ByteBuffer h = le(10);
        h.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001);
        h.putShort((short) 0x7C00).putShort((short) 0x7BFF).flip();
        TensorData half = new TensorData("F16", new long[] {5}, h);
        assertThat(half.toFloatArray()).containsExactly(1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY, 65504f);

        ByteBuffer bf = le(4);
        bf.putShort((short) 0x3F80).putShort((short) 0xC040).flip();
        assertThat(new TensorData("BF16", new long[] {2}, bf).toFloatArray()).containsExactly(1f, -3f);

        ByteBuffer d = le(16);
        d.putDouble(0.25).putDouble(-1e10).flip();
        assertThat(new TensorData("F64", new long[] {2}, d).toFloatArray()).containsExactly(0.25f, -1e10f);
    }

    @Test
    void halfToFloatMatchesAllBitPatternsForNormalsAndSubnormals() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = TensorData.halfToFloat((short) bits);
            int exp = (bits >>> 10) & 0x1f;
            int mant = bits & 0x3ff;
            double expected;
            if (exp == 0x1f) {
                assertThat(mant == 0 ? Float.isInfinite(f) : Float.isNaN(f)).isTrue();
                continue;
            } else if (exp == 0) {
                expected = mant * Math.pow(2, -24);
            } else {
                expected = (1 + mant / 1024.0) * Math.pow(2, exp - 15);
            }
            if ((bits & 0x8000) != 0) {
                expected = -expected;
            }
            assertThat((double) f).isEqualTo(expected);
        }
    }

    @Test
    void convertsIntegerTypesToLong() {
        ByteBuffer i32 = le(8);
        i32.putInt(-7).putInt(Integer.MAX_VALUE).flip();
        assertThat(new TensorData("I32", new long[] {2}, i32).toLongArray()).containsExactly(-7, Integer.MAX_VALUE);
        ByteBuffer i16 = le(4);
        i16.putShort((short) -2).putShort((short) 300).flip();
        assertThat(new TensorData("I16", new long[] {2}, i16).toLongArray()).containsExactly(-2, 300);
        ByteBuffer bytes = ByteBuffer.wrap(new byte[] {(byte) 0xFF, 5});
        assertThat(new TensorData("I8", new long[] {2}, bytes).toLongArray()).containsExactly(-1, 5);
        assertThat(new TensorData("U8", new long[] {2}, bytes).toLongArray()).containsExactly(255, 5);
    }

    @Test
    void wrongConversionIsIllegalState() {
        TensorData f = TensorData.ofFloats(new long[] {1}, new float[] {1});
        TensorData l = TensorData.ofLongs(new long[] {1}, new long[] {1});
        assertThatThrownBy(l::toFloatArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("I64");
        assertThatThrownBy(f::toLongArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("F32");
        assertThatThrownBy(f::toBooleanArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("F32");
    }

    @Test
    void dataViewsAreIndependentReadOnlyAndLittleEndian() {
        TensorData t = TensorData.ofFloats(new long[] {2}, new float[] {1f, 2f});
        ByteBuffer a = t.data();
        assertThat(a.position()).isZero();
        assertThat(a.limit()).isEqualTo(8);
        assertThat(a.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(a.isReadOnly()).isTrue();
        a.getFloat();
        assertThat(t.data().position()).isZero();
        assertThatThrownBy(() -> a.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
    }

    @Test
    void constructorTakesRemainingBytesAndShapeIsCopied() {
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {9, 9, 1, 2});
        buf.position(2);
        long[] shape = {2};
        TensorData t = new TensorData("U8", shape, buf);
        shape[0] = 99;
        t.shape()[0] = 77;
        assertThat(t.shape()).containsExactly(2);
        assertThat(t.toLongArray()).containsExactly(1, 2);
    }

    @Test
    void equalityIsByContent() {
        TensorData a = TensorData.ofFloats(new long[] {2}, new float[] {1f, 2f});
        TensorData b = TensorData.ofFloats(new long[] {2}, new float[] {1f, 2f});
        TensorData c = TensorData.ofFloats(new long[] {1, 2}, new float[] {1f, 2f});
        TensorData d = TensorData.ofFloats(new long[] {2}, new float[] {1f, 3f});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c).isNotEqualTo(d);
        assertThat(a.toString()).isEqualTo("TensorData[dtype=F32, shape=[2], bytes=8]");
    }
}
