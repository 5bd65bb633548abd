package dev.perceiver.model.config;

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
        return builder().build();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder()
                .numCrossAttentionHeads(numCrossAttentionHeads)
                .numCrossAttentionQkChannels(numCrossAttentionQkChannels)
                .numCrossAttentionVChannels(numCrossAttentionVChannels)
                .crossAttentionWideningFactor(crossAttentionWideningFactor)
                .crossAttentionResidual(crossAttentionResidual)
                .dropout(dropout)
                .initScale(initScale)
                .freeze(freeze);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link DecoderConfig}; unset fields take the defaults. */
    public static final class Builder {
        private Integer numCrossAttentionHeads;
        private Integer numCrossAttentionQkChannels;
        private Integer numCrossAttentionVChannels;
        private Integer crossAttentionWideningFactor;
        private Boolean crossAttentionResidual;
        private Double dropout;
        private Double initScale;
        private Boolean freeze;

        /** Sets numCrossAttentionHeads. */
        public Builder numCrossAttentionHeads(Integer value) {
            this.numCrossAttentionHeads = value;
            return this;
        }

        /** Sets numCrossAttentionQkChannels. */
        public Builder numCrossAttentionQkChannels(Integer value) {
            this.numCrossAttentionQkChannels = value;
            return this;
        }

        /** Sets numCrossAttentionVChannels. */
        public Builder numCrossAttentionVChannels(Integer value) {
            this.numCrossAttentionVChannels = value;
            return this;
        }

        /** Sets crossAttentionWideningFactor. */
        public Builder crossAttentionWideningFactor(Integer value) {
            this.crossAttentionWideningFactor = value;
            return this;
        }

        /** Sets crossAttentionResidual. */
        public Builder crossAttentionResidual(Boolean value) {
            this.crossAttentionResidual = value;
            return this;
        }

        /** Sets dropout. */
        public Builder dropout(Double value) {
            this.dropout = value;
            return this;
        }

        /** Sets initScale. */
        public Builder initScale(Double value) {
            this.initScale = value;
            return this;
        }

        /** Sets freeze. */
        public Builder freeze(Boolean value) {
            this.freeze = value;
            return this;
        }

        /** Builds and validates the config. */
        public DecoderConfig build() {
            return new DecoderConfig(
                    numCrossAttentionHeads,
                    numCrossAttentionQkChannels,
                    numCrossAttentionVChannels,
                    crossAttentionWideningFactor,
                    crossAttentionResidual,
                    dropout,
                    initScale,
                    freeze);
        }
    }
}
