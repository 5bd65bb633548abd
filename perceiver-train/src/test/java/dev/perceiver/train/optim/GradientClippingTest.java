package dev.perceiver.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    @Test
    void scalesAllGradientsToTheMaxGlobalNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdamWTest.Vec a = new AdamWTest.Vec(m, new float[] {1, 1});
            AdamWTest.Vec b = new AdamWTest.Vec(m, new float[] {1});
            a.w.array().setRequiresGradient(true);
            b.w.array().setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // gradients (3, 0) and (4): global norm 5
                gc.backward(a.w.array()
                        .mul(m.create(new float[] {3, 0}))
                        .sum()
                        .add(b.w.array().mul(4).sum()));
            }
            double norm = GradientClipping.clipByGlobalNorm(List.of(a.w, b.w), 1.0);
            assertThat(norm).isCloseTo(5.0, within(1e-6));
            assertThat((double) a.w.array().getGradient().getFloat(0)).isCloseTo(0.6, within(1e-6));
            assertThat((double) b.w.array().getGradient().getFloat(0)).isCloseTo(0.8, within(1e-6));
            // below the limit nothing changes
            GradientClipping.clipByGlobalNorm(List.of(a.w, b.w), 10.0);
            assertThat((double) b.w.array().getGradient().getFloat(0)).isCloseTo(0.8, within(1e-6));
        }
    }
}
