package dev.perceiver.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.perceiver.nn.Checks;

/** Generic Perceiver IO decoder options, reference field names and defaults. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DecoderConfig(
        Integer numCrossAttentionHeads,
        @JsonProperty("num_cross_attention_qk_channels") Integer numCrossAttentionQkChannels,
        @JsonProperty("num_cross_attention_v_channels") Integer numCrossAttentionVChannels,
        Integer crossAttentionWideningFactor,
        Boolean crossAttentionResidual,
        Double dropout,
        Double initScale,
        Boolean freeze) {

    /** Fills defaults and validates. */
    public DecoderConfig {
        numCrossAttentionHeads = numCrossAttentionHeads == null ? 8 : numCrossAttentionHeads;
        crossAttentionWideningFactor = crossAttentionWideningFactor == null ? 1 : crossAttentionWideningFactor;
        crossAttentionResidual = crossAttentionResidual == null || crossAttentionResidual;
        dropout = dropout == null ? 0.0 : dropout;
        initScale = initScale == null ? 0.02 : initScale;
        freeze = freeze != null && freeze;
        Checks.positive("num_cross_attention_heads", numCrossAttentionHeads);
        Checks.positive("cross_attention_widening_factor", crossAttentionWideningFactor);
        Checks.probability("dropout", dropout);
        EncoderConfig.optionalPositive("num_cross_attention_qk_channels", numCrossAttentionQkChannels);
        EncoderConfig.optionalPositive("num_cross_attention_v_channels", numCrossAttentionVChannels);
    }

    /** All defaults. */
    public static DecoderConfig defaults() {
        return new DecoderConfig(null, null, null, null, null, null, null, null);
    }
}
