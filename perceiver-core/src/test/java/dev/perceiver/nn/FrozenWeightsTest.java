package dev.perceiver.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class FrozenWeightsTest {
    @Test
    void fusedAndHalfPrecisionOutputsMatchTheLayersAndTheCopiesAreFreedOnClose() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear a = new Linear(m, 8, 6, true, 0.5);
            Linear b = new Linear(m, 8, 4, true, 0.5);
            a.bias().load(m.randomNormal(new Shape(6)));
            b.bias().load(m.randomNormal(new Shape(4)));
            int parameters = m.getManagedArrays().size();
            try (NDManager work = m.newSubManager()) {
                NDArray x = work.randomNormal(new Shape(2, 1, 8));
                float[] expected = a.forward(x).concat(b.forward(x), -1).toFloatArray();
                try (FrozenWeights frozen = FrozenWeights.of(a)) {
                    assertThat(FrozenWeights.active()).isSameAs(frozen);
                    assertThat(frozen.applyFused(x, a, b).toFloatArray()).containsExactly(expected);
                    Linear noBias = new Linear(work, 8, 3, false, 0.5);
                    float[] mixed = a.forward(x).concat(noBias.forward(x), -1).toFloatArray();
                    assertThat(frozen.applyFused(x, a, noBias).toFloatArray()).containsExactly(mixed);
                    frozen.halfPrecision(true);
                    NDArray half = frozen.applyFused(x, a, b);
                    assertThat(half.getDataType()).isEqualTo(DataType.FLOAT32);
                    float[] h = half.toFloatArray();
                    float maxDiff = 0;
                    for (int i = 0; i < h.length; i++) {
                        assertThat(h[i]).isCloseTo(expected[i], within(5e-3f * Math.max(1f, Math.abs(expected[i]))));
                        maxDiff = Math.max(maxDiff, Math.abs(h[i] - expected[i]));
                    }
                    assertThat(maxDiff).as("float16 rounding shows").isGreaterThan(0f);
                    float[] halfSingle = a.forward(x).toFloatArray();
                    frozen.halfPrecision(false);
                    assertThat(a.forward(x).toFloatArray()).isNotEqualTo(halfSingle);
                    // many rows stay float32 even with half precision on
                    frozen.halfPrecision(true);
                    NDArray many = work.randomNormal(new Shape(FrozenWeights.MAX_HALF_ROWS + 1, 8));
                    frozen.halfPrecision(false);
                    float[] full = a.forward(many).toFloatArray();
                    frozen.halfPrecision(true);
                    assertThat(a.forward(many).toFloatArray()).containsExactly(full);
                }
                assertThat(FrozenWeights.active()).isNull();
            }
            // the copies lived in a sub-manager of the module's manager and were closed with the scope
            assertThat(m.getManagedArrays().size()).isEqualTo(parameters);
        }
    }
}
