package dev.perceiver.tasks.multimodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.nn.Module;

/**
 * Perceiver IO multimodal autoencoder (transformers' {@code PerceiverForMultimodalAutoencoding}, the
 * {@code deepmind/multimodal-perceiver} model): video, audio and a (masked) class label are encoded together into
 * latents; the decoder reconstructs the chosen video pixels and audio patches and predicts the label, so with the
 * label masked it is a video classifier. Children {@code input_preprocessor} ({@link MultimodalPreprocessor}),
 * {@code 0} (the generic {@link PerceiverEncoder}), {@code 1} ({@link MultimodalDecoder}), {@code output_postprocessor}
 * ({@link MultimodalPostprocessor}).
 *
 * <p>Shapes: video (b, T, c, H, W), audio (b, S, 1), label (b, num_classes) -> latents (b, N, D) -> audio (b, n_audio *
 * samples_per_patch), video (b, n_image, c), label logits (b, num_classes).
 */
public final class MultimodalAutoencoder extends Module {
    private final PerceiverIOConfig<MultimodalEncoderConfig, MultimodalDecoderConfig> config;
    private final MultimodalPreprocessor preprocessor;
    private final PerceiverEncoder encoder;
    private final MultimodalDecoder decoder;
    private final MultimodalPostprocessor postprocessor;

    public MultimodalAutoencoder(
            NDManager m, PerceiverIOConfig<MultimodalEncoderConfig, MultimodalDecoderConfig> config) {
        super(m);
        this.config = config;
        MultimodalEncoderConfig e = config.encoder();
        int c = e.numInputChannels();
        preprocessor = child("input_preprocessor", new MultimodalPreprocessor(m, e));
        // cross-attention query/key channels default to the input's, value channels to query/key's (transformers)
        EncoderConfig base = e.base();
        Integer qk = base.numCrossAttentionQkChannels() == null ? c : base.numCrossAttentionQkChannels();
        Integer v = base.numCrossAttentionVChannels() == null ? qk : base.numCrossAttentionVChannels();
        encoder = child(
                "0",
                new PerceiverEncoder(
                        m,
                        new PreprocessedInputAdapter(m, c),
                        config.numLatents(),
                        config.numLatentChannels(),
                        base.withCrossAttentionChannels(qk, v)));
        decoder = child("1", new MultimodalDecoder(m, e, config.decoder(), config.numLatentChannels()));
        postprocessor = child(
                "output_postprocessor",
                new MultimodalPostprocessor(
                        m,
                        e,
                        config.decoder().outputNumChannels(),
                        config.decoder().base().initScale()));
    }

    /**
     * Encodes the inputs and decodes the chosen output points.
     *
     * @param image video (b, num_frames, image_channels, H, W)
     * @param audio (b, num_frames * audio_samples_per_frame, 1)
     * @param label (b, num_classes) or null: masked, its values do not matter
     * @param points the video and audio points to decode ({@link OutputPoints#ALL} for all)
     * @throws IllegalArgumentException naming the input or output point argument that is wrong
     */
    public MultimodalOutput forward(NDArray image, NDArray audio, NDArray label, OutputPoints points) {
        return postprocessor.forward(decoder.forward(encode(image, audio, label), points));
    }

    /** Inputs as in {@link #forward} -> latents after the encoder (b, N, D). */
    public NDArray encode(NDArray image, NDArray audio, NDArray label) {
        return encoder.forward(preprocessor.forward(image, audio, label), null);
    }

    public PerceiverIOConfig<MultimodalEncoderConfig, MultimodalDecoderConfig> config() {
        return config;
    }

    public MultimodalDecoder decoder() {
        return decoder;
    }
}
