package dev.perceiver.tasks.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextEncoderConfig;

/** Perceiver IO text classifier: token ids (b, n) with pad mask (b, n) -> logits (b, num_classes). */
public final class TextClassifier extends PerceiverIO {
    private final PerceiverIOConfig<TextEncoderConfig, ClassificationDecoderConfig> config;

    public TextClassifier(NDManager m, PerceiverIOConfig<TextEncoderConfig, ClassificationDecoderConfig> config) {
        super(
                m,
                TextEncoder.create(m, config.encoder(), config.numLatents(), config.numLatentChannels()),
                PerceiverDecoder.classification(m, config.decoder(), config.numLatentChannels()));
        this.config = config;
    }

    /** Token ids (b, n), pad mask (b, n) true = padding (or null) -> logits (b, num_classes). */
    @Override
    public NDArray forward(NDArray x, NDArray padMask) {
        return super.forward(x, padMask);
    }

    public PerceiverIOConfig<TextEncoderConfig, ClassificationDecoderConfig> config() {
        return config;
    }
}
