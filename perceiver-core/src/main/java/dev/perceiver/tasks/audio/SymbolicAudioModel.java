package dev.perceiver.tasks.audio;

import ai.djl.ndarray.NDManager;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.config.PerceiverARConfig;

/** Perceiver AR symbolic audio model over the MIDI event vocabulary (see the MIDI codec of this package). */
public final class SymbolicAudioModel extends CausalSequenceModel {
    public SymbolicAudioModel(NDManager manager, PerceiverARConfig config) {
        super(manager, config);
    }
}
