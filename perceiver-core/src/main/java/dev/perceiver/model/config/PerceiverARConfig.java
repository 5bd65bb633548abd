package dev.perceiver.model.config;

import dev.perceiver.nn.Checks;

/**
 * Perceiver AR options (reference {@code PerceiverARConfig}) together with the causal sequence model options
 * (reference {@code CausalSequenceModelConfig}): vocab_size, max_seq_len, max_latents, num_channels, output_norm,
 * output_bias, abs_pos_emb, init_scale. Used by the causal language model and the symbolic audio model.
 */
public record PerceiverARConfig(
        Integer numHeads,
        Integer maxHeadsParallel,
        Integer numSelfAttentionLayers,
        Integer numSelfAttentionRotaryLayers,
        Integer selfAttentionWideningFactor,
        Integer crossAttentionWideningFactor,
        Double crossAttentionDropout,
        Double postAttentionDropout,
        Double residualDropout,
        Boolean activationCheckpointing,
        Boolean activationOffloading,
        Integer vocabSize,
        Integer maxSeqLen,
        Integer maxLatents,
        Integer numChannels,
        Boolean outputNorm,
        Boolean outputBias,
        Boolean absPosEmb,
        Double initScale) {

    /** Fills the reference defaults and validates. */
    public PerceiverARConfig {
        numHeads = numHeads == null ? 8 : numHeads;
        numSelfAttentionLayers = numSelfAttentionLayers == null ? 8 : numSelfAttentionLayers;
        numSelfAttentionRotaryLayers = numSelfAttentionRotaryLayers == null ? 1 : numSelfAttentionRotaryLayers;
        selfAttentionWideningFactor = selfAttentionWideningFactor == null ? 4 : selfAttentionWideningFactor;
        crossAttentionWideningFactor = crossAttentionWideningFactor == null ? 4 : crossAttentionWideningFactor;
        crossAttentionDropout = crossAttentionDropout == null ? 0.5 : crossAttentionDropout;
        postAttentionDropout = postAttentionDropout == null ? 0.0 : postAttentionDropout;
        residualDropout = residualDropout == null ? 0.0 : residualDropout;
        activationCheckpointing = activationCheckpointing != null && activationCheckpointing;
        activationOffloading = activationOffloading != null && activationOffloading;
        vocabSize = vocabSize == null ? 262 : vocabSize;
        maxSeqLen = maxSeqLen == null ? 4096 : maxSeqLen;
        maxLatents = maxLatents == null ? 512 : maxLatents;
        numChannels = numChannels == null ? 512 : numChannels;
        outputNorm = outputNorm != null && outputNorm;
        outputBias = outputBias == null || outputBias;
        absPosEmb = absPosEmb == null || absPosEmb;
        initScale = initScale == null ? 0.02 : initScale;
        Checks.positive("num_heads", numHeads);
        Checks.positive("num_self_attention_layers", numSelfAttentionLayers);
        Checks.positive("vocab_size", vocabSize);
        Checks.positive("max_seq_len", maxSeqLen);
        Checks.positive("max_latents", maxLatents);
        Checks.positive("num_channels", numChannels);
        Checks.divisible("num_channels", numChannels, "num_heads", numHeads);
        Checks.probability("cross_attention_dropout", crossAttentionDropout);
        Checks.probability("post_attention_dropout", postAttentionDropout);
        Checks.probability("residual_dropout", residualDropout);
        if (maxHeadsParallel != null) {
            Checks.positive("max_heads_parallel", maxHeadsParallel);
        }
        if (maxLatents > maxSeqLen) {
            throw new IllegalArgumentException(
                    "max_latents (" + maxLatents + ") must be <= max_seq_len (" + maxSeqLen + ")");
        }
        int perHead = numChannels / numHeads;
        if (absPosEmb && perHead / 2 == 0) {
            throw new IllegalArgumentException("num_channels / num_heads (" + perHead
                    + ") must be >= 2 when abs_pos_emb is true (half of each head is rotated)");
        }
    }

    /** Reads a config object with the reference's field names; unknown fields are errors. */
    public static PerceiverARConfig fromJson(com.fasterxml.jackson.databind.JsonNode node) {
        return ConfigJson.bind(node, PerceiverARConfig.class, "model", java.util.Set.of());
    }

    /** All defaults. */
    public static PerceiverARConfig defaults() {
        return new PerceiverARConfig(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /** JSON tree with the reference's field names. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        return ConfigJson.tree(this);
    }

    /** Largest prefix: max_seq_len - max_latents. */
    public int maxPrefixLen() {
        return maxSeqLen - maxLatents;
    }
}
