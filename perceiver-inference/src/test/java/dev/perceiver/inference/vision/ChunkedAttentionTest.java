package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.vision.OpticalFlow;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Chunked attention (decoder output queries, encoder cross-attention latents over a factored input, self-attention
 * queries) gives the unchunked output of an optical flow model up to float rounding.
 */
class ChunkedAttentionTest {
    private static float[] input(long seed) {
        Random r = new Random(seed);
        float[] x = new float[2 * 2 * 27 * 8 * 10];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static float[] flow(OpticalFlow model, NDManager m, float[] x) {
        try (NDScope ignored = new NDScope()) {
            NDArray out = model.forward(Tensors.owned(m, x, new Shape(2, 2, 27, 8, 10)));
            assertThat(out.getShape()).isEqualTo(new Shape(2, 8, 10, 2));
            return out.toFloatArray();
        }
    }

    @Test
    void chunkedEqualsUnchunked() {
        try (NDManager m = NDManager.newBaseManager()) {
            OpticalFlow model = VisionModels.flow(m, 8, 10, 5);
            float[] x = input(7);
            model.setQueryChunkSize(Integer.MAX_VALUE);
            float[] whole = flow(model, m, x);
            for (int chunk : new int[] {1, 3, 7}) {
                model.setQueryChunkSize(chunk);
                assertThat(model.decoder().queryChunkSize()).isEqualTo(chunk);
                float[] chunked = flow(model, m, x);
                assertThat(chunked.length).isEqualTo(whole.length);
                for (int i = 0; i < whole.length; i++) {
                    assertThat(Math.abs(chunked[i] - whole[i]))
                            .as("chunk %d, value %d", chunk, i)
                            .isLessThanOrEqualTo(1e-5f * Math.max(1f, Math.abs(whole[i])));
                }
            }
            // automatic: the tiny model fits in one chunk
            model.setQueryChunkSize(0);
            assertThat(flow(model, m, x)).containsExactly(whole);
        }
    }

    @Test
    void trainingModeChunksTooWithTheSameOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            OpticalFlow model = VisionModels.flow(m, 8, 10, 6);
            float[] x = input(8);
            model.setQueryChunkSize(Integer.MAX_VALUE);
            float[] whole = flow(model, m, x);
            model.setTraining(true); // dropout 0: the same function, chunks without freeing scopes
            model.setQueryChunkSize(2);
            float[] chunked = flow(model, m, x);
            for (int i = 0; i < whole.length; i++) {
                assertThat(Math.abs(chunked[i] - whole[i]))
                        .isLessThanOrEqualTo(1e-5f * Math.max(1f, Math.abs(whole[i])));
            }
        }
    }

    @Test
    void negativeChunkSizeIsRefusedNamingIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            OpticalFlow model = VisionModels.flow(m, 8, 10, 5);
            assertThatThrownBy(() -> model.setQueryChunkSize(-1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("query_chunk_size (-1)");
        }
    }
}
