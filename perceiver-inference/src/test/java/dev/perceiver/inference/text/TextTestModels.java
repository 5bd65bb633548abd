package dev.perceiver.inference.text;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;

/** Small random Perceiver IO text models (also for the README example test). */
public final class TextTestModels {
    private TextTestModels() {}

    static EncoderConfig encoder() {
        return EncoderConfig.builder()
                .numCrossAttentionHeads(2)
                .numSelfAttentionHeads(2)
                .numSelfAttentionLayersPerBlock(2)
                .initScale(0.5)
                .build();
    }

    static DecoderConfig decoder(boolean residual) {
        return DecoderConfig.builder()
                .numCrossAttentionHeads(2)
                .crossAttentionResidual(residual)
                .initScale(0.5)
                .build();
    }

    public static MaskedLanguageModel mlm(NDManager m, int vocab, int maxSeqLen, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return new MaskedLanguageModel(
                m,
                PerceiverIOConfig.builder(
                                TextEncoderConfig.builder()
                                        .base(encoder())
                                        .vocabSize(vocab)
                                        .maxSeqLen(maxSeqLen)
                                        .numInputChannels(16)
                                        .build(),
                                TextDecoderConfig.builder()
                                        .base(decoder(false))
                                        .vocabSize(vocab)
                                        .maxSeqLen(maxSeqLen)
                                        .build())
                        .numLatents(8)
                        .numLatentChannels(16)
                        .build());
    }

    public static TextClassifier classifier(NDManager m, int vocab, int maxSeqLen, int classes, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return new TextClassifier(
                m,
                PerceiverIOConfig.builder(
                                TextEncoderConfig.builder()
                                        .base(encoder())
                                        .vocabSize(vocab)
                                        .maxSeqLen(maxSeqLen)
                                        .numInputChannels(16)
                                        .build(),
                                ClassificationDecoderConfig.builder()
                                        .base(decoder(true))
                                        .numOutputQueryChannels(16)
                                        .numClasses(classes)
                                        .build())
                        .numLatents(8)
                        .numLatentChannels(16)
                        .build());
    }
}
