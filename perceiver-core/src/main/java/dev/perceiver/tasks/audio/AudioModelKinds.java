package dev.perceiver.tasks.audio;

import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKindProvider;
import java.util.List;

/**
 * The audio model kinds (symbolic audio model), registered with the model registry through
 * {@code META-INF/services/dev.perceiver.model.registry.ModelKindProvider}.
 */
public final class AudioModelKinds implements ModelKindProvider {
    /** Perceiver AR symbolic audio model ({@code perceiver-ar-symbolic-audio-model}). */
    public static final ModelKind<PerceiverARConfig, SymbolicAudioModel> SYMBOLIC_AUDIO_MODEL = ModelKind.builder(
                    "perceiver-ar-symbolic-audio-model", SymbolicAudioModel.class)
            .configReader(PerceiverARConfig::fromJson)
            .architectures("PerceiverSymbolicAudioModel")
            .task("symbolic-audio-generation")
            .factory(SymbolicAudioModel::new)
            .configOf(SymbolicAudioModel::config)
            .build();

    @Override
    public List<ModelKind<?, ?>> modelKinds() {
        return List.of(SYMBOLIC_AUDIO_MODEL);
    }
}
