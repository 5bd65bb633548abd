package dev.perceiver.tasks.text;

import ai.djl.ndarray.NDManager;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.adapter.TokenInputAdapter;
import dev.perceiver.model.config.TextEncoderConfig;

/**
 * Text encoder: a {@link PerceiverEncoder} over a {@link TokenInputAdapter} (token ids (b, n) -> latents (b, N, D)).
 */
public final class TextEncoder {
    private TextEncoder() {}

    /** Builds the encoder of a text model. */
    public static PerceiverEncoder create(NDManager m, TextEncoderConfig c, int numLatents, int numLatentChannels) {
        TokenInputAdapter adapter = new TokenInputAdapter(
                m,
                c.vocabSize(),
                c.maxSeqLen(),
                c.numInputChannels(),
                true,
                c.base().initScale());
        return new PerceiverEncoder(m, adapter, numLatents, numLatentChannels, c.base());
    }
}
