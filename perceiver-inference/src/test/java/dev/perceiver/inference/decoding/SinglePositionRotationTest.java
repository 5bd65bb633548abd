package dev.perceiver.inference.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.position.FrequencyPositionEncoding;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import org.junit.jupiter.api.Test;

class SinglePositionRotationTest {
    @Test
    void rotatingRowsEqualsTheRotaryEmbeddingForFullAndPartialRotation() {
        try (NDManager m = NDManager.newBaseManager()) {
            FrequencyPositionEncoding frq = new FrequencyPositionEncoding(m, 4);
            long[] positions = {0, 7, 4095, 4096};
            for (int channels : new int[] {4, 8}) {
                NDArray t = m.randomNormal(new Shape(positions.length, 3, 1, channels));
                NDArray pos = m.create(positions, new Shape(positions.length, 1));
                NDArray expected = new RotaryPositionEmbedding(frq.forward(pos), true).rotate(t);
                SinglePositionRotation single = SinglePositionRotation.of(m, frq.angles(positions));
                NDArray rows = t.reshape(positions.length, 3, channels);
                NDArray actual = single.rotateRows(rows).reshape(t.getShape());
                float[] a = actual.toFloatArray();
                float[] e = expected.toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertThat(a[i]).isCloseTo(e[i], within(2e-5f * Math.max(1f, Math.abs(e[i]))));
                }
            }
        }
    }

    @Test
    void rowsOfAnotherBatchSizeAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            SinglePositionRotation single = SinglePositionRotation.of(m, new double[][] {{0.5, 0.5}});
            assertThatThrownBy(() -> single.rotateRows(m.zeros(new Shape(2, 3, 4))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rows must have shape (1, r, c >= 2), got (2, 3, 4)");
        }
    }
}
