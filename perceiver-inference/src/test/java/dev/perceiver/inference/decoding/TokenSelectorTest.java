package dev.perceiver.inference.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenSelectorTest {
    private static float[] logitsOf(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = (float) Math.log(probs[i]);
        }
        return l;
    }

    private static TokenSelector sampler(double temperature, int topK, double topP) {
        return new TokenSelector(GenerationConfig.greedy(1).withSampling(temperature, topK, topP, 0));
    }

    @Test
    void greedyTakesTheFirstLargestLogit() {
        TokenSelector greedy = new TokenSelector(GenerationConfig.greedy(1));
        assertThat(greedy.select(new float[] {0.1f, 2f, 2f, -1f})).isEqualTo(1);
    }

    @Test
    void topPRemovesTheLeastProbableTokensWhileTheirMassStaysAtMostOneMinusP() {
        float[] logits = logitsOf(0.05, 0.5, 0.15, 0.3);
        double[] p = sampler(1.0, 0, 0.8).filteredProbabilities(logits);
        assertThat(p[0]).isZero();
        assertThat(p[2]).isZero();
        assertThat(p[1]).isCloseTo(0.5 / 0.8, within(1e-6));
        assertThat(p[3]).isCloseTo(0.3 / 0.8, within(1e-6));
        double[] q = sampler(1.0, 0, 0.9).filteredProbabilities(logits);
        assertThat(q[0]).isZero();
        assertThat(q[2]).isGreaterThan(0);
    }

    @Test
    void topKKeepsTheKLargestAndTemperatureFlattens() {
        float[] logits = logitsOf(0.1, 0.6, 0.3);
        double[] p = sampler(1.0, 2, 1.0).filteredProbabilities(logits);
        assertThat(p[0]).isZero();
        assertThat(p[1]).isCloseTo(0.6 / 0.9, within(1e-6));
        double[] hot = sampler(100.0, 0, 1.0).filteredProbabilities(logits);
        assertThat(hot[0]).isCloseTo(1.0 / 3, within(0.01));
    }

    @Test
    void samplingFollowsTheDistribution() {
        TokenSelector s = sampler(1.0, 0, 1.0);
        float[] logits = logitsOf(0.2, 0.8);
        int ones = 0;
        for (int i = 0; i < 5000; i++) {
            ones += s.select(logits);
        }
        assertThat(ones / 5000.0).isCloseTo(0.8, within(0.03));
    }
}
