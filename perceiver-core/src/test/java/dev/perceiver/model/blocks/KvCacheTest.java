package dev.perceiver.model.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class KvCacheTest {
    /** Keys (1, 2, n, 3) whose every element encodes its position: 100 * position + 10 * head + channel. */
    private static NDArray positions(NDManager m, int from, int n) {
        float[] data = new float[2 * n * 3];
        for (int h = 0; h < 2; h++) {
            for (int p = 0; p < n; p++) {
                for (int c = 0; c < 3; c++) {
                    data[(h * n + p) * 3 + c] = 100 * (from + p) + 10 * h + c;
                }
            }
        }
        return m.create(data, new Shape(1, 2, n, 3));
    }

    @Test
    void appendedPositionsComeBackInOrderAcrossWindowCutsCompactionAndGrowth() {
        try (NDManager m = NDManager.newBaseManager();
                KvCache cache = KvCache.allocate(m, 1, 2, 3, 3, 4)) {
            int next = 0;
            int kept = 0;
            // prompt of 3, then single steps with a window of 4: fills, compacts, then grows for a window of 6
            for (int[] step : new int[][] {{3, 4}, {1, 4}, {1, 4}, {1, 4}, {1, 4}, {1, 4}, {5, 6}, {1, 6}}) {
                int n = step[0];
                int window = step[1];
                cache.keepLast(window - n);
                kept = (int) cache.length();
                NDArray k = positions(m, next, n);
                cache.append(k, k.mul(-1));
                next += n;
                assertThat(cache.length()).isEqualTo(kept + n);
                int first = next - kept - n;
                NDArray expected = positions(m, first, kept + n);
                assertThat(cache.keys().toFloatArray()).containsExactly(expected.toFloatArray());
                assertThat(cache.values().toFloatArray())
                        .containsExactly(expected.mul(-1).toFloatArray());
                assertThat(cache.keysTransposed().getShape()).isEqualTo(new Shape(1, 2, 3, kept + n));
                assertThat(cache.keysTransposed().transpose(0, 1, 3, 2).toFloatArray())
                        .containsExactly(expected.toFloatArray());
            }
            assertThat(cache.capacity()).isGreaterThanOrEqualTo(6);
        }
    }

    @Test
    void mismatchedKeysAndValuesAreRejected() {
        try (NDManager m = NDManager.newBaseManager();
                KvCache cache = KvCache.allocate(m, 1, 2, 3, 3, 4)) {
            assertThatThrownBy(() -> cache.append(positions(m, 0, 2), positions(m, 0, 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("number of positions");
            assertThatThrownBy(() -> cache.keepLast(-1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("max (-1) must be >= 0");
        }
    }
}
