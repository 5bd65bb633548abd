package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.ImagePreprocessing;
import dev.perceiver.model.config.PerceiverIOConfig;

/**
 * Perceiver IO image classifier: images (b, h, w, c) -> logits (b, num_classes). The encoder input is made by the
 * config's {@link ImagePreprocessing}: Fourier-encoded pixels (the reference's, {@link ImageInputAdapter}), a 1 x 1
 * convolution with a learned position embedding ({@link LearnedImageInputAdapter}) or a conv stem with Fourier
 * features ({@link ConvImageInputAdapter}); one learned output query is decoded into class logits. The
 * cross-attention qk channels default to the adapter's channel count, as in the reference.
 */
public final class ImageClassifier extends PerceiverIO {
    private final PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config;

    public ImageClassifier(
            NDManager manager, PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config) {
        this(manager, config, adapter(manager, config.encoder()));
    }

    private static InputAdapter adapter(NDManager m, ImageEncoderConfig e) {
        ImagePreprocessing p = e.preprocessing();
        int[] shape = e.imageShape();
        double init = e.base().initScale();
        return switch (p.type()) {
            case ImagePreprocessing.CONV1X1 ->
                new LearnedImageInputAdapter(m, shape, p.numChannels(), p.numPositionChannels(), init);
            case ImagePreprocessing.CONV ->
                new ConvImageInputAdapter(
                        m, shape[shape.length - 1], p.numChannels(), e.numFrequencyBands(), p.maxResolution(), init);
            default -> new ImageInputAdapter(m, shape, e.numFrequencyBands());
        };
    }

    private ImageClassifier(
            NDManager manager,
            PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config,
            InputAdapter adapter) {
        super(
                manager,
                encoder(manager, config, adapter),
                PerceiverDecoder.classification(manager, config.decoder(), config.numLatentChannels()));
        this.config = config;
    }

    private static PerceiverEncoder encoder(
            NDManager m, PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> c, InputAdapter adapter) {
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
