package dev.perceiver.tasks.vision;

import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.OpticalFlowDecoderConfig;
import dev.perceiver.model.config.OpticalFlowEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKindProvider;
import java.util.List;

/**
 * The vision model kinds (image classifier, optical flow), registered with the model registry through
 * {@code META-INF/services/dev.perceiver.model.registry.ModelKindProvider}.
 */
public final class VisionModelKinds implements ModelKindProvider {
    /** Perceiver IO image classifier ({@code perceiver-io-image-classifier}). */
    public static final ModelKind<PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig>, ImageClassifier>
            IMAGE_CLASSIFIER = ModelKind.builder("perceiver-io-image-classifier", ImageClassifier.class)
                    .configReader(json -> PerceiverIOConfig.fromJson(
                            json, ImageEncoderConfig::fromJson, ClassificationDecoderConfig::fromJson))
                    .architectures("PerceiverImageClassifier")
                    .task("image-classification")
                    .factory(ImageClassifier::new)
                    .configOf(ImageClassifier::config)
                    .build();

    /** Perceiver IO optical flow ({@code perceiver-io-optical-flow}). */
    public static final ModelKind<PerceiverIOConfig<OpticalFlowEncoderConfig, OpticalFlowDecoderConfig>, OpticalFlow>
            OPTICAL_FLOW = ModelKind.builder("perceiver-io-optical-flow", OpticalFlow.class)
                    .configReader(json -> PerceiverIOConfig.fromJson(
                            json, OpticalFlowEncoderConfig::fromJson, OpticalFlowDecoderConfig::fromJson))
                    .architectures("OpticalFlowPerceiver")
                    .task("optical-flow")
                    .factory(OpticalFlow::new)
                    .configOf(OpticalFlow::config)
                    .build();

    @Override
    public List<ModelKind<?, ?>> modelKinds() {
        return List.of(IMAGE_CLASSIFIER, OPTICAL_FLOW);
    }
}
