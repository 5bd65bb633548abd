package dev.perceiver.inference.decoding;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.tasks.text.CausalLanguageModel;

/** Small random causal language models for generation tests. */
final class TestModels {
    private TestModels() {}

    /**
     * A model with weights large enough (init_scale 0.5) that logits are far from uniform, so greedy choices are
     * not decided by rounding.
     */
    static CausalLanguageModel clm(NDManager m, int vocab, int maxSeqLen, int maxLatents, int saLayers, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        PerceiverARConfig c = new PerceiverARConfig(
                2,
                null,
                saLayers,
                1,
                2,
                2,
                0.0,
                0.0,
                0.0,
                false,
                false,
                vocab,
                maxSeqLen,
                maxLatents,
                16,
                true,
                true,
                true,
                0.5);
        return new CausalLanguageModel(m, c);
    }
}
