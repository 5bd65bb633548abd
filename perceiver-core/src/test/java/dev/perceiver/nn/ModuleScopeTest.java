package dev.perceiver.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Parameters belong to the module's manager, not to an NDScope that is open while the module is built or loaded. */
class ModuleScopeTest {
    /** Linear then LayerNorm: (b, 3) -> (b, 2). */
    private static final class Net extends Module {
        final Linear linear;
        final LayerNorm norm;

        Net(NDManager m) {
            super(m);
            linear = child("linear", new Linear(m, 3, 2, true, 0.5));
            norm = child("norm", new LayerNorm(m, 2));
        }

        NDArray forward(NDArray x) {
            return norm.forward(linear.forward(x));
        }
    }

    @Test
    void parametersOutliveTheScopeTheModelWasBuiltIn() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net;
            float[] before;
            NDArray x = m.randomUniform(-1, 1, new Shape(4, 3));
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                net = new Net(m);
                before = net.forward(x).toFloatArray();
            }
            for (Parameter p : net.stateDict().values()) {
                assertThat(p.array().isReleased()).isFalse();
            }
            assertThat(net.forward(x).toFloatArray()).containsExactly(before);
        }
    }

    @Test
    void loadedValuesOutliveTheScopeTheyWereLoadedIn() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = new Net(m);
            ByteBuffer weight = ByteBuffer.allocateDirect(6 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : new float[] {1, 0, 0, 0, 1, 0}) {
                weight.putFloat(v);
            }
            weight.flip();
            NDArray copy;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                net.linear.weight().load(DataType.FLOAT32, dst -> dst.put(weight));
                copy = m.ones(new Shape(3, 2));
                net.linear.bias().load(copy.get(0));
            }
            assertThat(copy.isReleased()).isTrue(); // the scope still closes what it should
            NDArray x = Tensors.owned(m, new float[] {3, -1, 7}, new Shape(1, 3));
            // x W^T + b = (3 + 1, -1 + 1), normalised
            assertThat(net.linear.forward(x).toFloatArray()).containsExactly(4f, 0f);
            assertThat(net.forward(x).toFloatArray()[0]).isGreaterThan(0.99f);
        }
    }
}
