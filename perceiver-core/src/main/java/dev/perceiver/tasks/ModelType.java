package dev.perceiver.tasks;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.OpticalFlowDecoderConfig;
import dev.perceiver.model.config.OpticalFlowEncoderConfig;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.audio.SymbolicAudioModel;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.OpticalFlow;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The task model types of the reference's Hugging Face model folders: {@code model_type} and architecture names
 * in {@code config.json}, and how to build the model from its {@code model_config}.
 */
public enum ModelType {
    IMAGE_CLASSIFIER("perceiver-io-image-classifier", "PerceiverImageClassifier"),
    MASKED_LANGUAGE_MODEL("perceiver-io-masked-language-model", "PerceiverMaskedLanguageModel"),
    TEXT_CLASSIFIER("perceiver-io-text-classifier", "PerceiverTextClassifier"),
    OPTICAL_FLOW("perceiver-io-optical-flow", "OpticalFlowPerceiver"),
    CAUSAL_LANGUAGE_MODEL("perceiver-ar-causal-language-model", "PerceiverCausalLanguageModel"),
    SYMBOLIC_AUDIO_MODEL("perceiver-ar-symbolic-audio-model", "PerceiverSymbolicAudioModel");

    private final String id;
    private final String architecture;

    ModelType(String id, String architecture) {
        this.id = id;
        this.architecture = architecture;
    }

    /** The {@code model_type} string. */
    public String id() {
        return id;
    }

    /** The Hugging Face architecture (model class) name. */
    public String architecture() {
        return architecture;
    }

    /** The type of a {@code model_type} string; an error lists the known ones. */
    public static ModelType of(String id) {
        for (ModelType t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown model_type '" + id + "'; known: "
                + Arrays.stream(values()).map(ModelType::id).collect(Collectors.joining(", ")));
    }

    /** The type of a model instance. */
    public static ModelType of(Module model) {
        if (model instanceof ImageClassifier) {
            return IMAGE_CLASSIFIER;
        } else if (model instanceof MaskedLanguageModel) {
            return MASKED_LANGUAGE_MODEL;
        } else if (model instanceof TextClassifier) {
            return TEXT_CLASSIFIER;
        } else if (model instanceof OpticalFlow) {
            return OPTICAL_FLOW;
        } else if (model instanceof SymbolicAudioModel) {
            return SYMBOLIC_AUDIO_MODEL;
        } else if (model instanceof CausalSequenceModel) {
            return CAUSAL_LANGUAGE_MODEL;
        }
        throw new IllegalArgumentException(
                "no model folder type for " + model.getClass().getSimpleName());
    }

    /** Builds a freshly initialised model of this type from its reference {@code model_config}. */
    public Module create(NDManager manager, JsonNode modelConfig) {
        return switch (this) {
            case IMAGE_CLASSIFIER ->
                new ImageClassifier(
                        manager,
                        PerceiverIOConfig.fromJson(
                                modelConfig, ImageEncoderConfig::fromJson, ClassificationDecoderConfig::fromJson));
            case MASKED_LANGUAGE_MODEL ->
                new MaskedLanguageModel(
                        manager,
                        PerceiverIOConfig.fromJson(
                                modelConfig, TextEncoderConfig::fromJson, TextDecoderConfig::fromJson));
            case TEXT_CLASSIFIER ->
                new TextClassifier(
                        manager,
                        PerceiverIOConfig.fromJson(
                                modelConfig, TextEncoderConfig::fromJson, ClassificationDecoderConfig::fromJson));
            case OPTICAL_FLOW ->
                new OpticalFlow(
                        manager,
                        PerceiverIOConfig.fromJson(
                                modelConfig, OpticalFlowEncoderConfig::fromJson, OpticalFlowDecoderConfig::fromJson));
            case CAUSAL_LANGUAGE_MODEL -> new CausalLanguageModel(manager, PerceiverARConfig.fromJson(modelConfig));
            case SYMBOLIC_AUDIO_MODEL -> new SymbolicAudioModel(manager, PerceiverARConfig.fromJson(modelConfig));
        };
    }

    /** The reference {@code model_config} of a model of this type. */
    public static ObjectNode modelConfig(Module model) {
        if (model instanceof ImageClassifier m) {
            return m.config().toJson();
        } else if (model instanceof MaskedLanguageModel m) {
            return m.config().toJson();
        } else if (model instanceof TextClassifier m) {
            return m.config().toJson();
        } else if (model instanceof OpticalFlow m) {
            return m.config().toJson();
        } else if (model instanceof CausalSequenceModel m) {
            return m.config().toJson();
        }
        throw new IllegalArgumentException(
                "no model config for " + model.getClass().getSimpleName());
    }
}
