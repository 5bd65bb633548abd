package dev.perceiver.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.blocks.AttentionSpec;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.vision.ImageClassifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad configs and inputs fail fast with messages that name the field, the value and the rule. */
class ConfigErrorsTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    static String imageConfig(String encoderExtra) {
        return "{\"num_latents\": 4, \"num_latent_channels\": 8, \"encoder\": {\"image_shape\": [4, 4, 1], "
                + "\"num_frequency_bands\": 2, \"num_cross_attention_heads\": 1, \"num_self_attention_heads\": 2, "
                + "\"num_self_attention_layers_per_block\": 1" + encoderExtra + "}, \"decoder\": {"
                + "\"num_output_query_channels\": 8, \"num_classes\": 3, \"num_cross_attention_heads\": 1}}";
    }

    static PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> image(String encoderExtra) {
        return PerceiverIOConfig.fromJson(
                ConfigJson.parse(imageConfig(encoderExtra)),
                ImageEncoderConfig::fromJson,
                ClassificationDecoderConfig::fromJson);
    }

    @Test
    void moreCrossAttentionLayersThanBlocks() {
        assertThatThrownBy(() -> image(", \"num_cross_attention_layers\": 4, \"num_self_attention_blocks\": 3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_cross_attention_layers (4) must be <= num_self_attention_blocks (3)");
    }

    @Test
    void channelsNotDivisibleByHeads() {
        assertThatThrownBy(() -> new ImageClassifier(manager, image(", \"num_self_attention_heads\": 3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_qk_channels (8) must be divisible by num_heads (3)");
        assertThatThrownBy(() -> new MultiHeadAttention(
                        manager,
                        AttentionSpec.builder()
                                .numHeads(4)
                                .numChannels(8)
                                .numQkChannels(8)
                                .numVChannels(6)
                                .build()))
                .hasMessageContaining("num_v_channels (6) must be divisible by num_heads (4)");
    }

    @Test
    void unknownOrBadlyTypedField() {
        assertThatThrownBy(() -> image(", \"num_latent\": 3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_latent");
        assertThatThrownBy(() -> image(", \"dropout\": 1.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dropout (1.5) must be in [0, 1)");
        assertThatThrownBy(() -> PerceiverIOConfig.fromJson(
                        ConfigJson.parse("{\"num_latents\": 0, "
                                + "\"num_latent_channels\": 8, \"encoder\": {}, \"decoder\": {}}"),
                        ImageEncoderConfig::fromJson,
                        ClassificationDecoderConfig::fromJson))
                .hasMessageContaining("num_latents (0) must be > 0");
    }

    @Test
    void inputShapeDifferentFromConfigured() {
        ImageClassifier model = new ImageClassifier(manager, image(""));
        NDArray x = manager.ones(new Shape(2, 5, 4, 1));
        assertThatThrownBy(() -> model.forward(x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input image shape [5, 4, 1] different from required shape [4, 4, 1]");
    }

    @Test
    void tokenIdOutOfVocabularyAndSequenceTooLong() {
        var cfg = PerceiverIOConfig.fromJson(
                ConfigJson.parse("{\"num_latents\": 2, \"num_latent_channels\": 8, "
                        + "\"encoder\": {\"vocab_size\": 10, \"max_seq_len\": 6, \"num_input_channels\": 8, "
                        + "\"num_cross_attention_heads\": 1, \"num_self_attention_heads\": 1, "
                        + "\"num_self_attention_layers_per_block\": 1}, \"decoder\": {\"vocab_size\": 10, \"max_seq_len\": 6, "
                        + "\"num_cross_attention_heads\": 1}}"),
                TextEncoderConfig::fromJson,
                TextDecoderConfig::fromJson);
        MaskedLanguageModel model = new MaskedLanguageModel(manager, cfg);
        NDArray bad = manager.create(new long[] {1, 2, 10}, new Shape(1, 3));
        assertThatThrownBy(() -> model.forward(bad, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id (10) out of range [0, 10) (vocab_size)");
        NDArray negative = manager.create(new long[] {1, -1}, new Shape(1, 2));
        assertThatThrownBy(() -> model.forward(negative, null)).hasMessageContaining("token id (-1)");
        NDArray tooLong = manager.zeros(new Shape(1, 7), ai.djl.ndarray.types.DataType.INT64);
        assertThatThrownBy(() -> model.forward(tooLong, null))
                .hasMessageContaining("input sequence length (7) exceeds")
                .hasMessageContaining("max_seq_len (6)");
    }

    @Test
    void prefixLenOutOfRange() {
        PerceiverARConfig cfg = PerceiverARConfig.fromJson(ConfigJson.parse("{\"vocab_size\": 20, \"max_seq_len\": 10, "
                + "\"max_latents\": 4, \"num_channels\": 8, \"num_heads\": 2, \"num_self_attention_layers\": 1}"));
        CausalLanguageModel model = new CausalLanguageModel(manager, cfg);
        NDArray x = manager.ones(new Shape(1, 8), ai.djl.ndarray.types.DataType.INT64);
        assertThatThrownBy(() -> model.forwardLogits(x, 8, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix_len (8) exceeds max_prefix_len (6)");
        NDArray shortX = manager.ones(new Shape(1, 3), ai.djl.ndarray.types.DataType.INT64);
        assertThatThrownBy(() -> model.forwardLogits(shortX, 3, null, null))
                .hasMessageContaining("prefix_len (3) out of valid range [0..3)");
        assertThatThrownBy(() ->
                        PerceiverARConfig.fromJson(ConfigJson.parse("{\"max_seq_len\": 10, " + "\"max_latents\": 12}")))
                .hasMessageContaining("max_latents (12) must be <= max_seq_len (10)");
    }
}
