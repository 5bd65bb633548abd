package dev.perceiver.tasks.huggingface;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.OpticalFlowDecoderConfig;
import dev.perceiver.model.config.OpticalFlowEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKindProvider;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.multimodal.MultimodalAutoencoder;
import dev.perceiver.tasks.multimodal.MultimodalDecoderConfig;
import dev.perceiver.tasks.multimodal.MultimodalEncoderConfig;
import dev.perceiver.tasks.multimodal.MultimodalModelKinds;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.OpticalFlow;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face {@code transformers}' own Perceiver folders ({@code model_type: "perceiver"}, the official DeepMind
 * checkpoints), one kind per {@code architectures} name whose model this project computes: the config is the whole
 * {@code config.json} ({@link PerceiverConfigs}), the weights carry transformers' names ({@link PerceiverWeightNames});
 * each builds, and is saved as, the reference-layout kind of the same model ({@link ModelKind#savedAs}). Registered
 * through {@code META-INF/services/dev.perceiver.model.registry.ModelKindProvider}.
 */
public final class HuggingFaceModelKinds implements ModelKindProvider {
    /** The {@code model_type} of every transformers Perceiver config. */
    public static final String MODEL_TYPE = "perceiver";

    /** transformers' parameter names of each kind's model, both ways (see {@link HuggingFaceExport}). */
    static final Map<ModelKind<?, ?>, PerceiverWeightNames> NAMES = new LinkedHashMap<>();

    /** {@code PerceiverForMaskedLM} ({@code deepmind/language-perceiver}). */
    public static final ModelKind<PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig>, MaskedLanguageModel>
            MASKED_LM = kind(
                    TextModelKinds.MASKED_LANGUAGE_MODEL,
                    "PerceiverForMaskedLM",
                    PerceiverConfigs::maskedLanguageModel,
                    PerceiverWeightNames.maskedLanguageModel());

    /** {@code PerceiverForSequenceClassification}. */
    public static final ModelKind<PerceiverIOConfig<TextEncoderConfig, ClassificationDecoderConfig>, TextClassifier>
            SEQUENCE_CLASSIFICATION = kind(
                    TextModelKinds.TEXT_CLASSIFIER,
                    "PerceiverForSequenceClassification",
                    PerceiverConfigs::textClassifier,
                    PerceiverWeightNames.textClassifier());

    /** {@code PerceiverForImageClassificationFourier} ({@code deepmind/vision-perceiver-fourier}). */
    public static final ModelKind<PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig>, ImageClassifier>
            IMAGE_CLASSIFICATION_FOURIER = kind(
                    VisionModelKinds.IMAGE_CLASSIFIER,
                    "PerceiverForImageClassificationFourier",
                    PerceiverConfigs::imageClassifierFourier,
                    PerceiverWeightNames.imageClassifier());

    /** {@code PerceiverForImageClassificationLearned} ({@code deepmind/vision-perceiver-learned}). */
    public static final ModelKind<PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig>, ImageClassifier>
            IMAGE_CLASSIFICATION_LEARNED = kind(
                    VisionModelKinds.IMAGE_CLASSIFIER,
                    "PerceiverForImageClassificationLearned",
                    PerceiverConfigs::imageClassifierLearned,
                    PerceiverWeightNames.imageClassifierLearned());

    /** {@code PerceiverForImageClassificationConvProcessing} ({@code deepmind/vision-perceiver-conv}). */
    public static final ModelKind<PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig>, ImageClassifier>
            IMAGE_CLASSIFICATION_CONV = kind(
                    VisionModelKinds.IMAGE_CLASSIFIER,
                    "PerceiverForImageClassificationConvProcessing",
                    PerceiverConfigs::imageClassifierConv,
                    PerceiverWeightNames.imageClassifierConv());

    /** {@code PerceiverForOpticalFlow} ({@code deepmind/optical-flow-perceiver}). */
    public static final ModelKind<PerceiverIOConfig<OpticalFlowEncoderConfig, OpticalFlowDecoderConfig>, OpticalFlow>
            OPTICAL_FLOW = kind(
                    VisionModelKinds.OPTICAL_FLOW,
                    "PerceiverForOpticalFlow",
                    PerceiverConfigs::opticalFlow,
                    PerceiverWeightNames.opticalFlow());

    /** {@code PerceiverForMultimodalAutoencoding} ({@code deepmind/multimodal-perceiver}). */
    public static final ModelKind<
                    PerceiverIOConfig<MultimodalEncoderConfig, MultimodalDecoderConfig>, MultimodalAutoencoder>
            MULTIMODAL_AUTOENCODING = kind(
                    MultimodalModelKinds.MULTIMODAL_AUTOENCODER,
                    "PerceiverForMultimodalAutoencoding",
                    PerceiverConfigs::multimodalAutoencoder,
                    PerceiverWeightNames.multimodalAutoencoder());

    private static <C extends dev.perceiver.model.config.ModelConfig, M extends Module> ModelKind<C, M> kind(
            ModelKind<C, M> own,
            String architecture,
            java.util.function.Function<ObjectNode, ObjectNode> config,
            PerceiverWeightNames names) {
        ModelKind<C, M> kind = ModelKind.builder(MODEL_TYPE, own.moduleClass())
                .configReader(own::readConfig)
                .architectures(architecture)
                .task(own.task())
                .factory(own::create)
                .configOf(own::config)
                .modelConfig(json -> config.apply(json))
                .stateDictKeys(names::stateDictKey)
                .savedAs(own)
                .build();
        NAMES.put(kind, names);
        return kind;
    }

    /** Every kind, in the order {@link HuggingFaceExport} tries them. */
    static final List<ModelKind<?, ?>> KINDS = List.of(
            MASKED_LM,
            SEQUENCE_CLASSIFICATION,
            IMAGE_CLASSIFICATION_FOURIER,
            IMAGE_CLASSIFICATION_LEARNED,
            IMAGE_CLASSIFICATION_CONV,
            OPTICAL_FLOW);

    @Override
    public List<ModelKind<?, ?>> modelKinds() {
        List<ModelKind<?, ?>> all = new ArrayList<>(KINDS);
        all.add(MULTIMODAL_AUTOENCODING); // loaded, not written: our layout is its only export
        return List.copyOf(all);
    }
}
