package dev.perceiver.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LossesTest {
    @Test
    void meanCrossEntropySkipsIgnoredLabels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {2, 0, 0, 0, 1, 0, 5, 5, 5}, new Shape(3, 3));
            NDArray labels = m.create(new long[] {0, 2, -100});
            double l0 = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
            double l1 = -Math.log(1 / (2 + Math.exp(1)));
            assertThat((double) Losses.crossEntropy(logits, labels).getFloat()).isCloseTo((l0 + l1) / 2, within(1e-6));
            assertThat(Losses.correct(logits.get(":2"), labels.get(":2"))).isEqualTo(1);
        }
    }
}
