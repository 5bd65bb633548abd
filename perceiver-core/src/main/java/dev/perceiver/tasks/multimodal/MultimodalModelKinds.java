package dev.perceiver.tasks.multimodal;

import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKindProvider;
import java.util.List;

/**
 * The multimodal model kind (video + audio + label autoencoder), registered with the model registry through
 * {@code META-INF/services/dev.perceiver.model.registry.ModelKindProvider}. The reference has no such model: this
 * project's own layout ({@code model_config} of {@link MultimodalEncoderConfig} and {@link MultimodalDecoderConfig})
 * is what {@code perceiver convert} writes for a {@code PerceiverForMultimodalAutoencoding} folder.
 */
public final class MultimodalModelKinds implements ModelKindProvider {
    /** Perceiver IO multimodal autoencoder ({@code perceiver-io-multimodal-autoencoder}). */
    public static final ModelKind<
                    PerceiverIOConfig<MultimodalEncoderConfig, MultimodalDecoderConfig>, MultimodalAutoencoder>
            MULTIMODAL_AUTOENCODER = ModelKind.builder(
                            "perceiver-io-multimodal-autoencoder", MultimodalAutoencoder.class)
                    .configReader(json -> PerceiverIOConfig.fromJson(
                            json, MultimodalEncoderConfig::fromJson, MultimodalDecoderConfig::fromJson))
                    .architectures("PerceiverMultimodalAutoencoder")
                    .task("multimodal-autoencoding")
                    .factory(MultimodalAutoencoder::new)
                    .configOf(MultimodalAutoencoder::config)
                    .build();

    @Override
    public List<ModelKind<?, ?>> modelKinds() {
        return List.of(MULTIMODAL_AUTOENCODER);
    }
}
