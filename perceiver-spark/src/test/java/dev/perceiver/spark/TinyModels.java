package dev.perceiver.spark;

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
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small random model folders (bytes tokenizer, max_seq_len 32) and images for the Spark tests. */
final class TinyModels {
    private TinyModels() {}

    private static EncoderConfig encoder() {
        return EncoderConfig.builder()
                .numCrossAttentionHeads(2)
                .numSelfAttentionHeads(2)
                .numSelfAttentionLayersPerBlock(1)
                .initScale(0.5)
                .build();
    }

    private static TextEncoderConfig textEncoder() {
        return TextEncoderConfig.builder()
                .base(encoder())
                .vocabSize(262)
                .maxSeqLen(32)
                .numInputChannels(16)
                .build();
    }

    /** Saves a text classifier with classes a, b, c into {@code dir}. */
    static Path classifier(NDManager m, Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(5);
        TextModelFolder.save(
                new TextClassifier(
                        m,
                        PerceiverIOConfig.builder(
                                        textEncoder(),
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
                dir,
                ModelFolder.labelEntries(new String[] {"a", "b", "c"}),
                new BytesTokenizer());
        return dir;
    }

    /** Saves a masked language model into {@code dir}. */
    static Path mlm(NDManager m, Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(6);
        TextModelFolder.save(
                new MaskedLanguageModel(
                        m,
                        PerceiverIOConfig.builder(
                                        textEncoder(),
                                        TextDecoderConfig.builder()
                                                .base(DecoderConfig.builder()
                                                        .numCrossAttentionHeads(2)
                                                        .crossAttentionResidual(false)
                                                        .build())
                                                .vocabSize(262)
                                                .maxSeqLen(32)
                                                .build())
                                .numLatents(8)
                                .numLatentChannels(16)
                                .build()),
                dir,
                Map.of(),
                new BytesTokenizer());
        return dir;
    }

    /** Saves a causal language model (Perceiver AR) into {@code dir}. */
    static Path clm(NDManager m, Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(7);
        TextModelFolder.save(
                new CausalLanguageModel(m, TestModels.clmConfig(262, 32, 8, 1, 16)),
                dir,
                Map.of(),
                new BytesTokenizer());
        return dir;
    }

    /** Saves an image classifier for 6 x 5 grayscale images with classes cat, dog, bird into {@code dir}. */
    static Path imageClassifier(NDManager manager, Path dir) throws IOException {
        Module m = VisionModelKinds.IMAGE_CLASSIFIER.createFromJson(manager, ConfigJson.parse("""
                {"num_latents": 4, "num_latent_channels": 16,
                 "encoder": {"image_shape": [6, 5, 1], "num_frequency_bands": 2, "num_cross_attention_heads": 1,
                             "num_self_attention_heads": 2, "num_self_attention_layers_per_block": 1},
                 "decoder": {"num_classes": 3, "num_output_query_channels": 8, "num_cross_attention_heads": 1}}
                """));
        Random r = new Random(1);
        for (Parameter p : m.trainableParameters()) {
            float[] v = new float[(int) p.shape().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * 0.3);
            }
            try (NDManager tmp = NDManager.newBaseManager()) {
                p.load(tmp.create(v, p.shape()));
            }
        }
        ModelFolder.save(m, dir, ModelFolder.labelEntries(new String[] {"cat", "dog", "bird"}));
        return dir;
    }

    /** Saves an optical flow model with 8 x 10 tiles into {@code dir}. */
    static Path flow(NDManager manager, Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(8);
        ModelFolder.save(VisionModelKinds.OPTICAL_FLOW.createFromJson(manager, ConfigJson.parse("""
                        {"num_latents": 4, "num_latent_channels": 16,
                         "encoder": {"image_shape": [8, 10], "num_patch_input_channels": 27,
                                     "num_patch_hidden_channels": 8, "num_frequency_bands": 2,
                                     "num_cross_attention_heads": 1, "num_self_attention_heads": 2,
                                     "num_self_attention_layers_per_block": 1},
                         "decoder": {"image_shape": [8, 10], "rescale_factor": 1.0, "num_cross_attention_heads": 1}}
                        """)), dir, Map.of());
        return dir;
    }

    /** Writes a random grayscale PNG of {@code h x w} pixels. */
    static Path image(Path dir, String name, int h, int w, long seed) throws IOException {
        Random r = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }
}
