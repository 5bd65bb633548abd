package dev.perceiver.serve;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.audio.MidiEventCodec;
import dev.perceiver.inference.audio.MidiFiles;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.tasks.audio.SymbolicAudioModel;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/**
 * Tiny random model folders (bytes tokenizer) for the server tests: clm, mlm, clf (3 labels), img (8x8x1, 4 labels);
 * flow (8x10 tiles) and sam (symbolic audio); and inputs for them.
 */
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

    /** Saves a flow model (8x10 tiles) as {@code flow} and a symbolic audio model as {@code sam} under {@code root}. */
    static Map<String, Path> saveFlowAndAudio(Path root) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        out.put("flow", root.resolve("flow"));
        out.put("sam", root.resolve("sam"));
        try (NDManager m = NDManager.newBaseManager()) {
            String json = """
                    {"num_latents": 4, "num_latent_channels": 16,
                     "encoder": {"image_shape": [8, 10], "num_patch_input_channels": 27,
                                 "num_patch_hidden_channels": 8, "num_frequency_bands": 2,
                                 "num_cross_attention_heads": 1, "num_self_attention_heads": 2,
                                 "num_self_attention_layers_per_block": 1},
                     "decoder": {"image_shape": [8, 10], "rescale_factor": 1.0, "num_cross_attention_heads": 1}}
                    """;
            ModelFolder.save(
                    VisionModelKinds.OPTICAL_FLOW.createFromJson(m, ConfigJson.parse(json)), out.get("flow"), Map.of());
            ModelFolder.save(
                    new SymbolicAudioModel(
                            m,
                            PerceiverARConfig.builder()
                                    .numHeads(4)
                                    .numSelfAttentionLayers(1)
                                    .vocabSize(MidiEventCodec.VOCAB_SIZE)
                                    .maxSeqLen(64)
                                    .maxLatents(16)
                                    .numChannels(32)
                                    .outputNorm(true)
                                    .outputBias(false)
                                    .absPosEmb(false)
                                    .build()),
                    out.get("sam"),
                    Map.of());
        }
        return out;
    }

    /** A 10x8 (width x height) RGB frame as PNG; {@code shift} moves its pattern to the left. */
    static byte[] frame(int shift) throws IOException {
        BufferedImage image = new BufferedImage(10, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 10; x++) {
                int v = ((x + shift) * 29 + y * 53) % 256;
                image.setRGB(x, y, (v << 16) | ((255 - v) << 8) | (v / 2));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A MIDI file of six notes (written to {@code dir}/prompt.mid), as bytes. */
    static byte[] midi(Path dir) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 480);
        Track track = seq.createTrack();
        for (int i = 0; i < 6; i++) {
            long on = 96 + i * 240L;
            track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 60 + i, 80), on));
            track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, 60 + i, 0), on + 192));
        }
        Path file = dir.resolve("prompt.mid");
        MidiFiles.write(seq, file);
        return Files.readAllBytes(file);
    }
}
