package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;

/**
 * Perceiver IO image classifier: images (b, h, w, c) -> logits (b, num_classes). Fourier-encoded pixels are the
 * encoder input; one learned output query is decoded into class logits. The cross-attention qk channels default to
 * the adapter's channel count, as in the reference.
 */
public final class ImageClassifier extends PerceiverIO {
    private final PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config;

    public ImageClassifier(
            NDManager manager, PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config) {
        this(
                manager,
                config,
                new ImageInputAdapter(
                        manager, config.encoder().imageShape(), config.encoder().numFrequencyBands()));
    }

    private ImageClassifier(
            NDManager manager,
            PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config,
            ImageInputAdapter adapter) {
        super(
                manager,
                encoder(manager, config, adapter),
                PerceiverDecoder.classification(manager, config.decoder(), config.numLatentChannels()));
        this.config = config;
    }

    private static PerceiverEncoder encoder(
            NDManager m,
            PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> c,
            ImageInputAdapter adapter) {
        EncoderConfig e = c.encoder().base();
        if (e.numCrossAttentionQkChannels() == null) {
            e = e.withCrossAttentionChannels(adapter.numInputChannels(), e.numCrossAttentionVChannels());
        }
        return new PerceiverEncoder(m, adapter, c.numLatents(), c.numLatentChannels(), e);
    }

    /** Images (b, *image_shape) float32 -> logits (b, num_classes). */
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    public PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config() {
        return config;
    }
}
