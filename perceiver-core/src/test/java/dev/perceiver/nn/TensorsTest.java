package dev.perceiver.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Arrays from Java data own a copy: changing or freeing the Java data afterwards does not change them. */
class TensorsTest {
    @Test
    void arraysCopyTheJavaArrays() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] f = {1, 2, 3, 4, 5, 6};
            NDArray a = Tensors.owned(m, f, new Shape(2, 3));
            long[] l = {7, -8};
            NDArray b = Tensors.owned(m, l, new Shape(2));
            boolean[] z = {true, false};
            NDArray c = Tensors.owned(m, z, new Shape(1, 2));
            f[0] = 100;
            l[0] = 100;
            z[0] = false;
            assertThat(a.getShape()).isEqualTo(new Shape(2, 3));
            assertThat(a.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(b.getDataType()).isEqualTo(DataType.INT64);
            assertThat(b.toLongArray()).containsExactly(7, -8);
            assertThat(c.toBooleanArray()).containsExactly(true, false);
        }
    }

    @Test
    void wrongValueCountNamesShapeAndCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Tensors.owned(m, new float[5], new Shape(2, 3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("data has 5 values but shape (2, 3) needs 6");
            assertThatThrownBy(() -> Tensors.owned(m, ByteBuffer.allocate(7), new Shape(2), DataType.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("data has 7 bytes but shape (2) of float32 needs 8");
        }
    }

    @Test
    void directBytesAreCopiedFromTheirPositionNotBorrowed() {
        try (NDManager m = NDManager.newBaseManager()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(4 + 12).order(ByteOrder.LITTLE_ENDIAN);
            direct.putFloat(-1f).putFloat(1.5f).putFloat(2.5f).putFloat(3.5f);
            direct.position(4);
            NDArray a = Tensors.owned(m, direct, new Shape(3), DataType.FLOAT32);
            assertThat(direct.position()).isEqualTo(4);
            // a borrowed array would see this overwrite
            direct.putFloat(4, 99f).putFloat(8, 99f).putFloat(12, 99f);
            NDArray view = a.reshape(3, 1); // a libtorch view of the copy
            assertThat(view.toFloatArray()).containsExactly(1.5f, 2.5f, 3.5f);
        }
    }

    @Test
    void heapBytesAreCopiedAndConvertedToTheWantedType() {
        try (NDManager m = NDManager.newBaseManager()) {
            ByteBuffer half = ByteBuffer.allocate(2 + 4).order(ByteOrder.LITTLE_ENDIAN);
            half.putShort((short) 0x7bff); // skipped: before the position
            half.putShort((short) 0x3c00).putShort((short) 0xc000); // 1.0, -2.0 in float16
            half.position(2);
            NDArray a = Tensors.owned(m, half, new Shape(2), DataType.FLOAT16, DataType.FLOAT32);
            half.putShort(2, (short) 0);
            assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(a.toFloatArray()).containsExactly(1f, -2f);
        }
    }

    @Test
    void filledArraysHoldTheBytesWrittenIntoTheirMemoryConvertedToTheWantedType() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = Tensors.filled(m, new Shape(2, 2), DataType.FLOAT32, DataType.FLOAT32, dst -> {
                assertThat(dst.position()).isZero();
                assertThat(dst.remaining()).isEqualTo(16);
                assertThat(dst.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
                dst.putFloat(1f).putFloat(-2f).putFloat(3.5f).putFloat(0f);
            });
            assertThat(f.getShape()).isEqualTo(new Shape(2, 2));
            assertThat(f.toFloatArray()).containsExactly(1f, -2f, 3.5f, 0f);
            // the memory written is the array's own: views of it see the values
            assertThat(f.reshape(4).get(2).getFloat()).isEqualTo(3.5f);

            NDArray half = Tensors.filled(
                    m,
                    new Shape(2),
                    DataType.FLOAT16,
                    DataType.FLOAT32,
                    dst -> dst.putShort((short) 0x3c00).putShort((short) 0xc000));
            assertThat(half.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(half.toFloatArray()).containsExactly(1f, -2f);

            NDArray ids = Tensors.filled(
                    m,
                    new Shape(2),
                    DataType.INT64,
                    DataType.INT64,
                    dst -> dst.putLong(7).putLong(-8));
            assertThat(ids.toLongArray()).containsExactly(7, -8);

            NDArray empty = Tensors.filled(m, new Shape(0, 3), DataType.FLOAT32, DataType.FLOAT32, dst -> {});
            assertThat(empty.getShape()).isEqualTo(new Shape(0, 3));
        }
    }

    @Test
    void aFillThatFailsOrStopsShortLeavesNoArrayBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            int before = m.getManagedArrays().size();
            assertThatThrownBy(() -> Tensors.filled(m, new Shape(3), DataType.FLOAT32, DataType.FLOAT32, dst -> {
                        throw new IOException("disk gone");
                    }))
                    .isInstanceOf(IOException.class)
                    .hasMessage("disk gone");
            assertThatThrownBy(() -> Tensors.filled(
                            m, new Shape(3), DataType.FLOAT32, DataType.FLOAT32, dst -> dst.putFloat(1f)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the fill left 8 of 12 bytes unwritten");
            assertThat(m.getManagedArrays()).hasSize(before);
        }
    }
}
