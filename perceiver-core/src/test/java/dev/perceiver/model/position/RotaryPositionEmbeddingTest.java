package dev.perceiver.model.position;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class RotaryPositionEmbeddingTest {
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
}
