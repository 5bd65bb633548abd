package dev.perceiver.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ParameterTest {

    @Test
    void loadCopiesTheValuesSoTheSourceCanChangeOrBeFreed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear linear = new Linear(m, 2, 3, true, 0.02);
            float[] values = {1, 2, 3, 4, 5, 6};
            try (NDManager tmp = m.newSubManager()) {
                NDArray src = tmp.create(values, new Shape(3, 2));
                linear.weight().load(src);
                src.addi(100f); // an alias would see this change
            }
            assertThat(linear.weight().array().toFloatArray()).containsExactly(values);
        }
    }

    @Test
    void loadConvertsTheDataTypeAndRejectsAnotherShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear linear = new Linear(m, 2, 1, false, 0.02);
            linear.weight().load(m.create(new double[] {0.5, -1.5}, new Shape(1, 2)));
            assertThat(linear.weight().array().getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(linear.weight().array().toFloatArray()).containsExactly(0.5f, -1.5f);
            assertThatThrownBy(() -> linear.weight().load(m.zeros(new Shape(2, 2))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(2, 2)");
        }
    }

    @Test
    void releasedWeightsAreFreedAndEveryUseNamesTheReason() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear linear = new Linear(m, 2, 3, true, 0.02);
            NDArray weight = linear.weight().array();
            linear.releaseWeights("weights freed for the test");
            linear.releaseWeights("a second call changes nothing");
            assertThat(linear.stateDict().values()).allMatch(Parameter::isReleased);
            assertThat(weight.isReleased()).isTrue(); // the engine memory is gone
            assertThat(linear.numParameters()).isEqualTo(9); // shapes stay readable
            assertThatThrownBy(() -> linear.weight().array())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("weights freed for the test");
            assertThatThrownBy(() -> linear.forward(m.ones(new Shape(1, 2))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("weights freed for the test");
            assertThatThrownBy(() -> linear.bias().load(m.zeros(new Shape(3))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("weights freed for the test");
        }
    }
}
