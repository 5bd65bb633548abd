package dev.perceiver.tasks.text;

import ai.djl.ndarray.NDManager;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.config.PerceiverARConfig;

/** Perceiver AR causal language model over the UTF-8 bytes vocabulary (or any tokenizer's vocabulary). */
public final class CausalLanguageModel extends CausalSequenceModel {
    public CausalLanguageModel(NDManager manager, PerceiverARConfig config) {
        super(manager, config);
    }
}
