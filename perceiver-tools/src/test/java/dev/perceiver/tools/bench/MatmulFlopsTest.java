package dev.perceiver.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.perceiver.model.config.PerceiverARConfig;
import org.junit.jupiter.api.Test;

/** FLOP counts from the workload configs against the reference column of WORKLOADS.md. */
class MatmulFlopsTest {
    private static final BenchOptions.Scale FULL = BenchOptions.Scale.FULL;

    @Test
    void imageClassifierCountsMatchTheReferenceColumn() {
        long forward = MatmulFlops.imageClassifier(WorkloadModels.imageClassifier(FULL));
        assertThat(forward).isEqualTo(206_001_792L);
        // WORKLOADS.md: img-infer 205 M, img-train 616 M (forward x3); this count is 0.3-0.5% higher
        assertThat((double) forward).isCloseTo(205e6, within(0.01 * 205e6));
        assertThat(3.0 * forward).isCloseTo(616e6, within(0.01 * 616e6));
    }

    @Test
    void causalLmTrainingCountMatchesPerLatentToken() {
        PerceiverARConfig c = WorkloadModels.causalLanguageModel(FULL);
        // 1024 tokens, prefix 768 of which 384 are kept by cross_attention_dropout 0.5, 256 latents
        long perToken = 3 * MatmulFlops.perceiverAr(c, 1024, 768, true) / 256;
        assertThat(perToken).isEqualTo(41_296_896L);
        assertThat((double) perToken).isCloseTo(41.3e6, within(0.001 * 41.3e6));
    }

    @Test
    void maskedLanguageModelCountMatches121G() {
        long flops = MatmulFlops.maskedLanguageModel(WorkloadModels.maskedLanguageModel(FULL), 2048);
        assertThat((double) flops).isCloseTo(121e9, within(0.005 * 121e9));
    }

    @Test
    void crossAttentionLayerByHand() {
        // 2 queries of 4 channels attend to 3 positions of 5 channels; qk 6, v 8 -> out 4; MLP 4 -> 8 -> 4
        long expected = 2 * 2 * 4 * 6
                + 2 * 3 * 5 * 6
                + 2 * 3 * 5 * 8
                + 2 * 2 * 3 * 6
                + 2 * 2 * 3 * 8
                + 2 * 2 * 8 * 4
                + 2 * 2 * 4 * 8
                + 2 * 2 * 8 * 4;
        assertThat(MatmulFlops.crossAttentionLayer(2, 3, 3, 4, 5, 6, 8, 2)).isEqualTo(expected);
        // defaults: qk = q input channels, v = qk
        assertThat(MatmulFlops.crossAttentionLayer(2, 3, 3, 4, 5, null, null, 1))
                .isEqualTo(MatmulFlops.crossAttentionLayer(2, 3, 3, 4, 5, 4, 4, 1));
    }

    @Test
    void cachedGenerationIsThePromptPassPlusOneTokenSteps() {
        PerceiverARConfig c = WorkloadModels.causalLanguageModel(FULL);
        long one = MatmulFlops.cachedGeneration(c, 512, 1, 1);
        assertThat(one).isEqualTo(MatmulFlops.perceiverAr(c, 512, 511, false));
        long two = MatmulFlops.cachedGeneration(c, 512, 1, 2);
        long ch = c.numChannels();
        // second token: cross-attention to 512 cached + 1 new positions, self-attention to 1 cached + 1 new
        long step = MatmulFlops.crossAttentionLayer(1, 513, 1, ch, ch, null, null, 4)
                + 6 * MatmulFlops.crossAttentionLayer(1, 2, 1, ch, ch, null, null, 4)
                + MatmulFlops.linear(1, ch, 262);
        assertThat(two - one).isEqualTo(step);
    }
}
