package dev.perceiver.tools.bench;

import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.VisionModelKinds;

/**
 * The models and input sizes of the workloads, written with the reference's (snake_case) field names exactly as
 * WORKLOADS.md gives them and read by the config readers of the model registry's kinds.
 * {@link BenchOptions.Scale#TINY} has the same structure (same layer counts, sharing, dropout, prefix split,
 * generation window) at toy widths and lengths.
 */
public final class WorkloadModels {
    private WorkloadModels() {}

    /**
     * Input sizes of the workloads.
     *
     * @param imageBatch images per step (img-train, img-infer)
     * @param clmBatch sequences per training step (clm-train)
     * @param clmSeqLen tokens per training sequence; prefix_len = clm_seq_len - max_latents
     * @param promptLen prompt tokens (clm-generate)
     * @param newTokens tokens generated per repetition (clm-generate)
     * @param genNumLatents latent positions at the start of generation
     * @param mlmSeqLen tokens of the masked LM input (mlm-infer)
     * @param matmulSize n of the n x n calibration product
     */
    public record Sizes(
            int imageBatch,
            int clmBatch,
            int clmSeqLen,
            int promptLen,
            int newTokens,
            int genNumLatents,
            int mlmSeqLen,
            int matmulSize) {}

    /** Sizes of WORKLOADS.md, or of the tiny variants. */
    public static Sizes sizes(BenchOptions.Scale scale) {
        return scale == BenchOptions.Scale.FULL
                ? new Sizes(64, 4, 1024, 512, 64, 1, 2048, 2048)
                : new Sizes(4, 2, 64, 32, 8, 1, 64, 64);
    }

    static final String IMAGE_CLASSIFIER = """
            {
              "encoder": {
                "image_shape": [28, 28, 1], "num_frequency_bands": 32,
                "num_cross_attention_heads": 1, "num_cross_attention_layers": 2,
                "num_self_attention_heads": 8, "num_self_attention_blocks": 3,
                "num_self_attention_layers_per_block": 3, "first_self_attention_block_shared": false,
                "dropout": 0.1, "init_scale": 0.1
              },
              "decoder": {
                "num_output_query_channels": 128, "num_classes": 10, "num_cross_attention_heads": 1, "dropout": 0.1
              },
              "num_latents": 32, "num_latent_channels": 128
            }""";

    static final String IMAGE_CLASSIFIER_TINY = """
            {
              "encoder": {
                "image_shape": [8, 8, 1], "num_frequency_bands": 2,
                "num_cross_attention_heads": 1, "num_cross_attention_layers": 2,
                "num_self_attention_heads": 2, "num_self_attention_blocks": 3,
                "num_self_attention_layers_per_block": 3, "first_self_attention_block_shared": false,
                "dropout": 0.1, "init_scale": 0.1
              },
              "decoder": {
                "num_output_query_channels": 16, "num_classes": 10, "num_cross_attention_heads": 1, "dropout": 0.1
              },
              "num_latents": 4, "num_latent_channels": 16
            }""";

    static final String CAUSAL_LM = """
            {
              "vocab_size": 262, "max_seq_len": 1024, "max_latents": 256, "num_channels": 256, "num_heads": 8,
              "num_self_attention_layers": 6, "cross_attention_dropout": 0.5, "output_norm": true
            }""";

    static final String CAUSAL_LM_TINY = """
            {
              "vocab_size": 262, "max_seq_len": 64, "max_latents": 16, "num_channels": 32, "num_heads": 4,
              "num_self_attention_layers": 2, "cross_attention_dropout": 0.5, "output_norm": true
            }""";

    static final String MASKED_LM = """
            {
              "encoder": {
                "vocab_size": 262, "max_seq_len": 2048, "num_input_channels": 768,
                "num_cross_attention_heads": 8, "num_cross_attention_qk_channels": 256,
                "num_cross_attention_v_channels": 1280,
                "num_self_attention_heads": 8, "num_self_attention_qk_channels": 256,
                "num_self_attention_v_channels": 1280, "num_self_attention_layers_per_block": 26,
                "num_self_attention_blocks": 1,
                "cross_attention_widening_factor": 1, "self_attention_widening_factor": 1
              },
              "decoder": {
                "vocab_size": 262, "max_seq_len": 2048,
                "num_cross_attention_heads": 8, "num_cross_attention_qk_channels": 256,
                "num_cross_attention_v_channels": 768, "cross_attention_widening_factor": 1,
                "cross_attention_residual": false
              },
              "num_latents": 256, "num_latent_channels": 1280
            }""";

    static final String MASKED_LM_TINY = """
            {
              "encoder": {
                "vocab_size": 262, "max_seq_len": 64, "num_input_channels": 32,
                "num_cross_attention_heads": 2, "num_cross_attention_qk_channels": 16,
                "num_cross_attention_v_channels": 64,
                "num_self_attention_heads": 2, "num_self_attention_qk_channels": 16,
                "num_self_attention_v_channels": 64, "num_self_attention_layers_per_block": 2,
                "num_self_attention_blocks": 1,
                "cross_attention_widening_factor": 1, "self_attention_widening_factor": 1
              },
              "decoder": {
                "vocab_size": 262, "max_seq_len": 64,
                "num_cross_attention_heads": 2, "num_cross_attention_qk_channels": 16,
                "num_cross_attention_v_channels": 32, "cross_attention_widening_factor": 1,
                "cross_attention_residual": false
              },
              "num_latents": 8, "num_latent_channels": 64
            }""";

    /** The image classifier of img-train and img-infer (the 907K-parameter MNIST model at full size). */
    public static PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> imageClassifier(
            BenchOptions.Scale scale) {
        return VisionModelKinds.IMAGE_CLASSIFIER.readConfig(
                ConfigJson.parse(scale == BenchOptions.Scale.FULL ? IMAGE_CLASSIFIER : IMAGE_CLASSIFIER_TINY));
    }

    /** The Perceiver AR causal LM of clm-train and clm-generate. */
    public static PerceiverARConfig causalLanguageModel(BenchOptions.Scale scale) {
        return TextModelKinds.CAUSAL_LANGUAGE_MODEL.readConfig(
                ConfigJson.parse(scale == BenchOptions.Scale.FULL ? CAUSAL_LM : CAUSAL_LM_TINY));
    }

    /** The deepmind/language-perceiver architecture (201M parameters at full size) of mlm-infer. */
    public static PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig> maskedLanguageModel(
            BenchOptions.Scale scale) {
        return TextModelKinds.MASKED_LANGUAGE_MODEL.readConfig(
                ConfigJson.parse(scale == BenchOptions.Scale.FULL ? MASKED_LM : MASKED_LM_TINY));
    }
}
