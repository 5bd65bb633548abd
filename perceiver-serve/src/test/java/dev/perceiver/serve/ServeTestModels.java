package dev.perceiver.serve;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tiny random model folders (bytes tokenizer) for the server tests: clm, mlm, clf (3 labels), img (8x8x1, 4 labels). */
final class ServeTestModels {
    private ServeTestModels() {}

    /** Saves the four folders under {@code root}; returns id -> folder. */
    static Map<String, Path> save(Path root) throws IOException {
        Engine.getInstance().setRandomSeed(5);
        EncoderConfig enc = EncoderConfig.builder()
                .numCrossAttentionHeads(2)
                .numSelfAttentionHeads(2)
                .numSelfAttentionLayersPerBlock(1)
                .initScale(0.5)
                .build();
        Map<String, Path> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            out.put("clm", root.resolve("clm"));
            TextModelFolder.save(
                    new CausalLanguageModel(m, TestModels.clmConfig(262, 64, 16, 1, 32)),
                    out.get("clm"),
                    Map.of(),
                    new BytesTokenizer());
            out.put("mlm", root.resolve("mlm"));
            TextModelFolder.save(
                    new MaskedLanguageModel(
                            m,
                            PerceiverIOConfig.builder(
                                            TextEncoderConfig.builder()
                                                    .base(enc)
                                                    .vocabSize(262)
                                                    .maxSeqLen(64)
                                                    .numInputChannels(16)
                                                    .build(),
                                            TextDecoderConfig.builder()
                                                    .base(DecoderConfig.builder()
                                                            .numCrossAttentionHeads(2)
                                                            .crossAttentionResidual(false)
                                                            .build())
                                                    .vocabSize(262)
                                                    .maxSeqLen(64)
                                                    .build())
                                    .numLatents(8)
                                    .numLatentChannels(16)
                                    .build()),
                    out.get("mlm"),
                    Map.of(),
                    new BytesTokenizer());
            out.put("clf", root.resolve("clf"));
            TextModelFolder.save(
                    new TextClassifier(
                            m,
                            PerceiverIOConfig.builder(
                                            TextEncoderConfig.builder()
                                                    .base(enc)
                                                    .vocabSize(262)
                                                    .maxSeqLen(64)
                                                    .numInputChannels(16)
                                                    .build(),
                                            ClassificationDecoderConfig.builder()
                                                    .base(DecoderConfig.builder()
                                                            .numCrossAttentionHeads(2)
                                                            .build())
                                                    .numOutputQueryChannels(16)
                                                    .numClasses(3)
                                                    .build())
                                    .numLatents(8)
                                    .numLatentChannels(16)
                                    .build()),
                    out.get("clf"),
                    ModelFolder.labelEntries(new String[] {"negative", "neutral", "positive"}),
                    new BytesTokenizer());
            out.put("img", root.resolve("img"));
            String json = """
                    {"num_latents": 4, "num_latent_channels": 16,
                     "encoder": {"image_shape": [8, 8, 1], "num_frequency_bands": 2, "num_cross_attention_heads": 1,
                                 "num_self_attention_heads": 2, "num_self_attention_layers_per_block": 1},
                     "decoder": {"num_classes": 4, "num_output_query_channels": 8, "num_cross_attention_heads": 1}}
                    """;
            ModelFolder.save(
                    VisionModelKinds.IMAGE_CLASSIFIER.createFromJson(m, ConfigJson.parse(json)),
                    out.get("img"),
                    ModelFolder.labelEntries(new String[] {"circle", "square", "line", "dot"}));
        }
        return out;
    }
}
