package dev.perceiver.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Scalars kept by autograd must outlive the forward pass: with the engine's {@code Number} overloads the scalar
 * borrows Java memory that can be freed (and reused) before backward reads it.
 */
class OpsTest {
    @Test
    void gradientOfScalarProductSurvivesGarbageCollection() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(4));
            x.setRequiresGradient(true);
            for (int trial = 0; trial < 30; trial++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = Ops.div(Ops.mul(x, 0.5f), 0.25f).sum();
                        for (int i = 0; i < 3; i++) {
                            System.gc();
                            byte[][] churn = new byte[64][];
                            for (int j = 0; j < churn.length; j++) {
                                churn[j] = new byte[1 << 16];
                                java.nio.ByteBuffer.allocateDirect(64).putFloat(0, 12345f);
                            }
                        }
                        gc.backward(y);
                    }
                    assertThat(x.getGradient().toFloatArray()).containsOnly(2f);
                    x.getGradient().set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
                }
            }
        }
    }
}
