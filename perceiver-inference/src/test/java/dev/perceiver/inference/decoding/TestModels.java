package dev.perceiver.inference.decoding;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.tasks.text.CausalLanguageModel;

/** Small random causal language models for generation tests (shared through the test-jar with serve and spark). */
public final class TestModels {
    private TestModels() {}

    /**
     * A model with weights large enough (init_scale 0.5) that logits are far from uniform, so greedy choices are
     * not decided by rounding.
     */
    static CausalLanguageModel clm(NDManager m, int vocab, int maxSeqLen, int maxLatents, int saLayers, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return new CausalLanguageModel(m, clmConfig(vocab, maxSeqLen, maxLatents, saLayers, 16));
    }

    /**
     * The config of those models: 2 heads, one rotary layer, widening 2, no dropout, output norm and bias, absolute
     * position embedding, init_scale 0.5.
     */
    public static PerceiverARConfig clmConfig(int vocab, int maxSeqLen, int maxLatents, int saLayers, int channels) {
        return PerceiverARConfig.builder()
                .numHeads(2)
                .numSelfAttentionLayers(saLayers)
                .numSelfAttentionRotaryLayers(1)
                .selfAttentionWideningFactor(2)
                .crossAttentionWideningFactor(2)
                .crossAttentionDropout(0.0)
                .postAttentionDropout(0.0)
                .residualDropout(0.0)
                .vocabSize(vocab)
                .maxSeqLen(maxSeqLen)
                .maxLatents(maxLatents)
                .numChannels(channels)
                .outputNorm(true)
                .outputBias(true)
                .absPosEmb(true)
                .initScale(0.5)
                .build();
    }
}
