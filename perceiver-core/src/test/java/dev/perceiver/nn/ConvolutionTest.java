package dev.perceiver.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** {@link Conv2d}, {@link BatchNorm2d} and {@link Ops#maxPool2d} against values computed here by their definitions. */
class ConvolutionTest {
    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(0.7 * i + 0.3);
        }
        return v;
    }

    @Test
    void convolutionWithPaddingAndStrideIsTheSumOfProductsOverEachWindow() {
        try (NDManager m = NDManager.newBaseManager()) {
            int in = 2;
            int h = 5;
            int w = 4;
            Conv2d conv = new Conv2d(m, in, 3, new int[] {3, 3}, 2, new int[] {1, 1}, true, 0.1);
            float[] x = ramp(in * h * w);
            float[] wt = conv.weight().array().toFloatArray();
            float[] bias = {0.5f, -0.25f, 1f};
            conv.bias().load(m.create(bias));
            NDArray y = conv.forward(m.create(x, new Shape(1, in, h, w)));
            // (5 + 2 - 3) / 2 + 1 = 3 rows, (4 + 2 - 3) / 2 + 1 = 2 columns
            assertThat(y.getShape()).isEqualTo(new Shape(1, 3, 3, 2));
            float[] out = y.toFloatArray();
            for (int o = 0; o < 3; o++) {
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 2; c++) {
                        double s = bias[o];
                        for (int i = 0; i < in; i++) {
                            for (int kr = 0; kr < 3; kr++) {
                                for (int kc = 0; kc < 3; kc++) {
                                    int yy = r * 2 - 1 + kr;
                                    int xx = c * 2 - 1 + kc;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                        s += wt[((o * in + i) * 3 + kr) * 3 + kc] * x[(i * h + yy) * w + xx];
                                    }
                                }
                            }
                        }
                        assertThat((double) out[(o * 3 + r) * 2 + c]).isCloseTo(s, within(1e-5));
                    }
                }
            }
            assertThatThrownBy(() -> conv.forward(m.zeros(new Shape(1, 3, 5, 5))))
                    .hasMessageContaining("(batch, 2, height, width)");
        }
    }

    @Test
    void batchNormUsesTheRunningStatisticsAndKeepsTorchsStateDictNames() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm2d bn = new BatchNorm2d(m, 2);
            assertThat(bn.stateDict())
                    .containsOnlyKeys("weight", "bias", "running_mean", "running_var", "num_batches_tracked");
            float[] mean = {0.5f, -1f};
            float[] var = {4f, 0.25f};
            float[] gamma = {2f, -1f};
            float[] beta = {0.1f, 3f};
            bn.stateDict().get("running_mean").load(m.create(mean));
            bn.stateDict().get("running_var").load(m.create(var));
            bn.stateDict().get("weight").load(m.create(gamma));
            bn.stateDict().get("bias").load(m.create(beta));
            float[] x = ramp(2 * 2 * 3);
            for (boolean training : new boolean[] {false, true}) {
                bn.setTraining(training);
                float[] y = bn.forward(m.create(x, new Shape(1, 2, 2, 3))).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    int c = i / 6;
                    double expected = (x[i] - mean[c]) / Math.sqrt(var[c] + BatchNorm2d.EPS) * gamma[c] + beta[c];
                    assertThat((double) y[i]).isCloseTo(expected, within(1e-5));
                }
            }
        }
    }

    @Test
    void maxPoolTakesTheMaximumOfEachWindowWithoutPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = ramp(5 * 6);
            NDArray y = Ops.maxPool2d(m.create(x, new Shape(1, 1, 5, 6)), 3, 2);
            assertThat(y.getShape()).isEqualTo(new Shape(1, 1, 2, 2));
            float[] out = y.toFloatArray();
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 2; c++) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (int kr = 0; kr < 3; kr++) {
                        for (int kc = 0; kc < 3; kc++) {
                            best = Math.max(best, x[(r * 2 + kr) * 6 + c * 2 + kc]);
                        }
                    }
                    assertThat(out[r * 2 + c]).isEqualTo(best);
                }
            }
        }
    }
}
