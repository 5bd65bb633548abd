package dev.perceiver.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
    /** A module with one parameter vector. */
    static final class Vec extends Module {
        final Parameter w;

        Vec(NDManager m, float[] init) {
            super(m);
            w = parameter("w", m.create(init));
        }
    }

    /** Two steps on loss = sum(w * c) (gradient c, then 2c), checked against the update written out by hand. */
    @Test
    void matchesHandComputationOnATinyTensor() {
        float[] w0 = {1.0f, -2.0f, 0.5f};
        float[] c = {0.3f, -1.5f, 4.0f};
        double lr = 0.1;
        double wd = 0.05;
        double b1 = 0.8;
        double b2 = 0.9;
        double eps = 1e-3;
        try (NDManager m = NDManager.newBaseManager()) {
            Vec v = new Vec(m, w0);
            AdamW opt = new AdamW(Map.of("w", v.w), new AdamWConfig(lr, b1, b2, eps, wd, true));
            opt.attachGradients();
            double[] p = {w0[0], w0[1], w0[2]};
            double[] mm = new double[3];
            double[] vv = new double[3];
            for (int t = 1; t <= 2; t++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = v.w.array().mul(m.create(c)).mul(t).sum();
                    gc.backward(loss);
                }
                opt.step(lr);
                opt.zeroGrad();
                for (int i = 0; i < 3; i++) {
                    double g = c[i] * t;
                    p[i] *= 1 - lr * wd;
                    mm[i] = b1 * mm[i] + (1 - b1) * g;
                    vv[i] = b2 * vv[i] + (1 - b2) * g * g;
                    double mhat = mm[i] / (1 - Math.pow(b1, t));
                    double denom = Math.sqrt(vv[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                    p[i] -= lr * mhat / denom;
                }
                float[] actual = v.w.array().toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertThat((double) actual[i])
                            .as("w[%d] after step %d", i, t)
                            .isCloseTo(p[i], within(1e-5));
                }
            }
            assertThat(opt.stepCount()).isEqualTo(2);
            assertThat(v.w.array().getGradient().abs().sum().getFloat())
                    .as("gradient zeroed")
                    .isZero();
        }
    }

    @Test
    void adamAddsDecayToTheGradientInsteadOfDecoupling() {
        try (NDManager m = NDManager.newBaseManager()) {
            Vec v = new Vec(m, new float[] {2.0f});
            AdamW opt = new AdamW(Map.of("w", v.w), new AdamWConfig(0.01, 0.9, 0.999, 1e-8, 0.5, false));
            opt.attachGradients();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(v.w.array().mul(0f).sum());
            }
            opt.step(0.01);
            // gradient 0 + 0.5 * 2 = 1 > 0: the first Adam step moves by -lr
            assertThat((double) v.w.array().getFloat(0)).isCloseTo(2.0 - 0.01, within(1e-6));
        }
    }

    @Test
    void rejectsBadSettingsWithTheirNames() {
        assertThatThrownBy(() -> new AdamWConfig(-1, 0.9, 0.999, 1e-8, 0.01, true))
                .hasMessageContaining("optimizer.lr (-1.0)");
        assertThatThrownBy(() -> new AdamWConfig(1e-3, 1.0, 0.999, 1e-8, 0.01, true))
                .hasMessageContaining("optimizer.betas[0] (1.0) must be in [0, 1)");
    }
}
