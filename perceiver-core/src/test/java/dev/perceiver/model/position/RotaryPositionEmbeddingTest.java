package dev.perceiver.model.position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class RotaryPositionEmbeddingTest {
    @Test
    void singlePositionFormEqualsTheEncodingFormForFullAndPartialRotation() {
        try (NDManager m = NDManager.newBaseManager()) {
            FrequencyPositionEncoding frq = new FrequencyPositionEncoding(m, 4);
            long[] positions = {0, 7, 4095, 4096};
            for (int channels : new int[] {4, 8}) {
                NDArray t = m.randomNormal(new Shape(positions.length, 3, 1, channels));
                NDArray pos = m.create(positions, new Shape(positions.length, 1));
                NDArray expected = new RotaryPositionEmbedding(frq.forward(pos), true).rotate(t);
                RotaryPositionEmbedding single = RotaryPositionEmbedding.ofSinglePositions(m, frq.angles(positions));
                assertThat(single.isSinglePosition()).isTrue();
                assertClose(single.rotate(t), expected);
                NDArray rows = t.reshape(positions.length, 3, channels);
                assertClose(single.rotateRows(rows).reshape(t.getShape()), expected);
            }
        }
    }

    @Test
    void anglesBelowTheLimitAreTheFloat32AnglesOfTheEncoding() {
        try (NDManager m = NDManager.newBaseManager()) {
            FrequencyPositionEncoding frq = new FrequencyPositionEncoding(m, 8);
            long[] positions = {1, 1000, FrequencyPositionEncoding.FLOAT32_ANGLE_LIMIT - 1};
            float[] expected = frq.forward(m.create(positions, new Shape(3, 1))).toFloatArray();
            double[][] angles = frq.angles(positions);
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < 8; i++) {
                    assertThat((float) angles[r][i]).isEqualTo(expected[r * 8 + i]);
                }
            }
        }
    }

    private static void assertClose(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isCloseTo(e[i], within(2e-5f * Math.max(1f, Math.abs(e[i]))));
        }
    }
}
