package dev.perceiver.model.blocks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The automatic query chunk size of attention and the output of automatically chunked attention. */
class MultiHeadAttentionChunkingTest {
    @Test
    void inferenceChunksKeepScoresWithinTheInferenceBudgetAndTrainingWithinTheTrainingOne() {
        // optical flow's self-attention: 16 heads over 2,048 latents
        long perRow = 16 * 2048;
        assertThat(MultiHeadAttention.automaticChunkRows(perRow, 2048, false)).isEqualTo(64);
        assertThat(MultiHeadAttention.automaticChunkRows(perRow, 2048, true)).isEqualTo(512);
        assertThat(MultiHeadAttention.automaticChunkRows(perRow, 10, false)).isEqualTo(10);
        assertThat(MultiHeadAttention.automaticChunkRows(1L << 30, 2048, false)).isEqualTo(1);
        assertThat(MultiHeadAttention.automaticChunkRows(0, 5, false)).isEqualTo(5);
    }

    private static NDArray random(NDManager m, Shape shape, long seed) {
        Random r = new Random(seed);
        float[] x = new float[(int) shape.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return Tensors.owned(m, x, shape);
    }

    @Test
    void automaticallyChunkedSelfAttentionEqualsOneChunk() {
        // 2 heads x 1,100 keys per query row: 2^21 / 2,200 = 953 rows per chunk, so two chunks of 1,100 queries
        int n = 1100;
        assertThat(MultiHeadAttention.automaticChunkRows(2L * n, n, false)).isLessThan(n);
        try (NDManager m = NDManager.newBaseManager()) {
            MultiHeadAttention attention = new MultiHeadAttention(
                    m,
                    AttentionSpec.builder()
                            .numHeads(2)
                            .numQInputChannels(8)
                            .numKvInputChannels(8)
                            .build());
            attention.setTraining(false);
            NDArray x = random(m, new Shape(1, n, 8), 3);
            float[] whole;
            float[] chunked;
            try (NDScope ignored = new NDScope()) {
                attention.setQueryChunkSize(Integer.MAX_VALUE);
                whole = attention
                        .forward(x, x, null, null, null, null)
                        .lastHiddenState()
                        .toFloatArray();
                attention.setQueryChunkSize(0);
                chunked = attention
                        .forward(x, x, null, null, null, null)
                        .lastHiddenState()
                        .toFloatArray();
            }
            assertThat(chunked).hasSameSizeAs(whole);
            for (int i = 0; i < whole.length; i++) {
                assertThat(Math.abs(chunked[i] - whole[i]))
                        .as("value %d", i)
                        .isLessThanOrEqualTo(1e-5f * Math.max(1f, Math.abs(whole[i])));
            }
        }
    }
}
