package dev.perceiver.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class NnpackTest {
    @Test
    void theFirstConvolutionTurnsNnpackOffAndComputesTheSame() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Conv2d conv = new Conv2d(m, 3, 4, new int[] {1, 1}, 1, new int[] {0, 0}, true, 0.1);
            NDArray x = m.randomNormal(new Shape(1, 3, 5, 5));
            NDArray y = conv.forward(x);
            assertThat(Nnpack.enabled()).as("libtorch's NNPACK switch").isFalse();
            // a 1x1 convolution is a linear map over the channels of each pixel
            NDArray w = conv.weight().array().reshape(4, 3);
            NDArray expected = w.matMul(x.reshape(3, 25)).reshape(1, 4, 5, 5);
            assertThat(y.getShape()).isEqualTo(new Shape(1, 4, 5, 5));
            assertThat(y.allClose(expected, 1e-5, 1e-6, false)).isTrue();
        }
    }
}
