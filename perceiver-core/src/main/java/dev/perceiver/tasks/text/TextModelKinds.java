package dev.perceiver.tasks.text;

import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKindProvider;
import java.util.List;

/**
 * The text model kinds (masked language model, text classifier, causal language model), registered with the model
 * registry through {@code META-INF/services/dev.perceiver.model.registry.ModelKindProvider}.
 */
public final class TextModelKinds implements ModelKindProvider {
    /** Perceiver IO masked language model ({@code perceiver-io-masked-language-model}). */
    public static final ModelKind<PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig>, MaskedLanguageModel>
            MASKED_LANGUAGE_MODEL = ModelKind.builder("perceiver-io-masked-language-model", MaskedLanguageModel.class)
                    .configReader(json ->
                            PerceiverIOConfig.fromJson(json, TextEncoderConfig::fromJson, TextDecoderConfig::fromJson))
                    .architectures("PerceiverMaskedLanguageModel")
                    .task("fill-mask")
                    .factory(MaskedLanguageModel::new)
                    .configOf(MaskedLanguageModel::config)
                    .build();

    /** Perceiver IO text classifier ({@code perceiver-io-text-classifier}). */
    public static final ModelKind<PerceiverIOConfig<TextEncoderConfig, ClassificationDecoderConfig>, TextClassifier>
            TEXT_CLASSIFIER = ModelKind.builder("perceiver-io-text-classifier", TextClassifier.class)
                    .configReader(json -> PerceiverIOConfig.fromJson(
                            json, TextEncoderConfig::fromJson, ClassificationDecoderConfig::fromJson))
                    .architectures("PerceiverTextClassifier")
                    .task("text-classification")
                    .factory(TextClassifier::new)
                    .configOf(TextClassifier::config)
                    .build();

    /** Perceiver AR causal language model ({@code perceiver-ar-causal-language-model}). */
    public static final ModelKind<PerceiverARConfig, CausalLanguageModel> CAUSAL_LANGUAGE_MODEL = ModelKind.builder(
                    "perceiver-ar-causal-language-model", CausalLanguageModel.class)
            .configReader(PerceiverARConfig::fromJson)
            .architectures("PerceiverCausalLanguageModel")
            .task("text-generation")
            .factory(CausalLanguageModel::new)
            .configOf(CausalLanguageModel::config)
            .build();

    @Override
    public List<ModelKind<?, ?>> modelKinds() {
        return List.of(MASKED_LANGUAGE_MODEL, TEXT_CLASSIFIER, CAUSAL_LANGUAGE_MODEL);
    }
}
