package dev.perceiver.inference.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.model.config.PerceiverARConfig;
import org.junit.jupiter.api.Test;

class GenerationWindowTest {
    /** max_seq_len 12, max_latents 4, so max_prefix_len 8. */
    private static PerceiverARConfig config() {
        return PerceiverARConfig.builder()
                .numHeads(2)
                .numSelfAttentionLayers(1)
                .numSelfAttentionRotaryLayers(1)
                .selfAttentionWideningFactor(2)
                .crossAttentionWideningFactor(2)
                .crossAttentionDropout(0.0)
                .postAttentionDropout(0.0)
                .residualDropout(0.0)
                .vocabSize(50)
                .maxSeqLen(12)
                .maxLatents(4)
                .numChannels(8)
                .outputNorm(false)
                .outputBias(true)
                .absPosEmb(true)
                .initScale(0.02)
                .build();
    }

    @Test
    void latentsGrowThenThePrefixGrowsThenTheWindowSlides() {
        GenerationWindow w = new GenerationWindow(config(), 5, 2); // prefix 3, latents 2
        assertThat(w.initialPrefixLen()).isEqualTo(3);
        int[] expectedPrefix = {3, 3, 3, 4, 5, 6, 7, 8, 8, 8, 8}; // totals 5..15
        int[] expectedWindow = {5, 6, 7, 8, 9, 10, 11, 12, 12, 12, 12};
        for (int i = 0; i < expectedPrefix.length; i++) {
            int total = 5 + i;
            assertThat(w.prefixLen(total)).as("prefix at total %d", total).isEqualTo(expectedPrefix[i]);
            assertThat(w.windowLength(total)).as("window at total %d", total).isEqualTo(expectedWindow[i]);
        }
        assertThat(w.maxSelfAttentionCache()).isEqualTo(3);
        assertThat(w.maxCrossAttentionCache()).isEqualTo(11);
    }

    @Test
    void moreLatentsThanPromptTokensMeansTheWholePrompt() {
        assertThat(new GenerationWindow(config(), 3, 4).initialPrefixLen()).isZero();
    }

    @Test
    void invalidStartsFailAsInTheReference() {
        assertThatThrownBy(() -> new GenerationWindow(config(), 0, 1))
                .hasMessageContaining("input sequence length (0) out of valid range [1..12]");
        assertThatThrownBy(() -> new GenerationWindow(config(), 10, 1))
                .hasMessageContaining("for given sequence of length=10, num_latents must be in range [2..4]");
    }
}
