package dev.perceiver.model.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.perceiver.nn.Checks;

/**
 * Generic Perceiver IO encoder options, reference field names and defaults. Null qk/v channel counts mean "derive
 * from the input" as the reference does.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EncoderConfig(
        Integer numCrossAttentionHeads,
        @JsonProperty("num_cross_attention_qk_channels") Integer numCrossAttentionQkChannels,
        @JsonProperty("num_cross_attention_v_channels") Integer numCrossAttentionVChannels,
        Integer numCrossAttentionLayers,
        Boolean firstCrossAttentionLayerShared,
        Integer crossAttentionWideningFactor,
        Integer numSelfAttentionHeads,
        @JsonProperty("num_self_attention_qk_channels") Integer numSelfAttentionQkChannels,
        @JsonProperty("num_self_attention_v_channels") Integer numSelfAttentionVChannels,
        Integer numSelfAttentionLayersPerBlock,
        Integer numSelfAttentionBlocks,
        Boolean firstSelfAttentionBlockShared,
        Integer selfAttentionWideningFactor,
        Double dropout,
        Double initScale,
        Boolean freeze) {

    /** Fills defaults for absent fields and validates ranges. */
    public EncoderConfig {
        numCrossAttentionHeads = numCrossAttentionHeads == null ? 8 : numCrossAttentionHeads;
        numCrossAttentionLayers = numCrossAttentionLayers == null ? 1 : numCrossAttentionLayers;
        firstCrossAttentionLayerShared = firstCrossAttentionLayerShared != null && firstCrossAttentionLayerShared;
        crossAttentionWideningFactor = crossAttentionWideningFactor == null ? 1 : crossAttentionWideningFactor;
        numSelfAttentionHeads = numSelfAttentionHeads == null ? 8 : numSelfAttentionHeads;
        numSelfAttentionLayersPerBlock = numSelfAttentionLayersPerBlock == null ? 8 : numSelfAttentionLayersPerBlock;
        numSelfAttentionBlocks = numSelfAttentionBlocks == null ? 1 : numSelfAttentionBlocks;
        firstSelfAttentionBlockShared = firstSelfAttentionBlockShared == null || firstSelfAttentionBlockShared;
        selfAttentionWideningFactor = selfAttentionWideningFactor == null ? 1 : selfAttentionWideningFactor;
        dropout = dropout == null ? 0.0 : dropout;
        initScale = initScale == null ? 0.02 : initScale;
        freeze = freeze != null && freeze;
        Checks.positive("num_cross_attention_heads", numCrossAttentionHeads);
        Checks.positive("num_cross_attention_layers", numCrossAttentionLayers);
        Checks.positive("num_self_attention_heads", numSelfAttentionHeads);
        Checks.positive("num_self_attention_layers_per_block", numSelfAttentionLayersPerBlock);
        Checks.positive("num_self_attention_blocks", numSelfAttentionBlocks);
        Checks.positive("cross_attention_widening_factor", crossAttentionWideningFactor);
        Checks.positive("self_attention_widening_factor", selfAttentionWideningFactor);
        Checks.probability("dropout", dropout);
        Checks.positive("init_scale", initScale > 0 ? 1 : 0);
        if (numCrossAttentionLayers > numSelfAttentionBlocks) {
            throw new IllegalArgumentException("num_cross_attention_layers (" + numCrossAttentionLayers
                    + ") must be <= num_self_attention_blocks (" + numSelfAttentionBlocks + ")");
        }
        optionalPositive("num_cross_attention_qk_channels", numCrossAttentionQkChannels);
        optionalPositive("num_cross_attention_v_channels", numCrossAttentionVChannels);
        optionalPositive("num_self_attention_qk_channels", numSelfAttentionQkChannels);
        optionalPositive("num_self_attention_v_channels", numSelfAttentionVChannels);
    }

    /** All defaults. */
    public static EncoderConfig defaults() {
        return builder().build();
    }

    /** Copy with the cross-attention qk channels set (used when an adapter defines them). */
    public EncoderConfig withCrossAttentionChannels(Integer qk, Integer v) {
        return toBuilder()
                .numCrossAttentionQkChannels(qk)
                .numCrossAttentionVChannels(v)
                .build();
    }

    static void optionalPositive(String name, Integer value) {
        if (value != null) {
            Checks.positive(name, value);
        }
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder()
                .numCrossAttentionHeads(numCrossAttentionHeads)
                .numCrossAttentionQkChannels(numCrossAttentionQkChannels)
                .numCrossAttentionVChannels(numCrossAttentionVChannels)
                .numCrossAttentionLayers(numCrossAttentionLayers)
                .firstCrossAttentionLayerShared(firstCrossAttentionLayerShared)
                .crossAttentionWideningFactor(crossAttentionWideningFactor)
                .numSelfAttentionHeads(numSelfAttentionHeads)
                .numSelfAttentionQkChannels(numSelfAttentionQkChannels)
                .numSelfAttentionVChannels(numSelfAttentionVChannels)
                .numSelfAttentionLayersPerBlock(numSelfAttentionLayersPerBlock)
                .numSelfAttentionBlocks(numSelfAttentionBlocks)
                .firstSelfAttentionBlockShared(firstSelfAttentionBlockShared)
                .selfAttentionWideningFactor(selfAttentionWideningFactor)
                .dropout(dropout)
                .initScale(initScale)
                .freeze(freeze);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link EncoderConfig}; unset fields take the defaults. */
    public static final class Builder {
        private Integer numCrossAttentionHeads;
        private Integer numCrossAttentionQkChannels;
        private Integer numCrossAttentionVChannels;
        private Integer numCrossAttentionLayers;
        private Boolean firstCrossAttentionLayerShared;
        private Integer crossAttentionWideningFactor;
        private Integer numSelfAttentionHeads;
        private Integer numSelfAttentionQkChannels;
        private Integer numSelfAttentionVChannels;
        private Integer numSelfAttentionLayersPerBlock;
        private Integer numSelfAttentionBlocks;
        private Boolean firstSelfAttentionBlockShared;
        private Integer selfAttentionWideningFactor;
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

        /** Sets numCrossAttentionLayers. */
        public Builder numCrossAttentionLayers(Integer value) {
            this.numCrossAttentionLayers = value;
            return this;
        }

        /** Sets firstCrossAttentionLayerShared. */
        public Builder firstCrossAttentionLayerShared(Boolean value) {
            this.firstCrossAttentionLayerShared = value;
            return this;
        }

        /** Sets crossAttentionWideningFactor. */
        public Builder crossAttentionWideningFactor(Integer value) {
            this.crossAttentionWideningFactor = value;
            return this;
        }

        /** Sets numSelfAttentionHeads. */
        public Builder numSelfAttentionHeads(Integer value) {
            this.numSelfAttentionHeads = value;
            return this;
        }

        /** Sets numSelfAttentionQkChannels. */
        public Builder numSelfAttentionQkChannels(Integer value) {
            this.numSelfAttentionQkChannels = value;
            return this;
        }

        /** Sets numSelfAttentionVChannels. */
        public Builder numSelfAttentionVChannels(Integer value) {
            this.numSelfAttentionVChannels = value;
            return this;
        }

        /** Sets numSelfAttentionLayersPerBlock. */
        public Builder numSelfAttentionLayersPerBlock(Integer value) {
            this.numSelfAttentionLayersPerBlock = value;
            return this;
        }

        /** Sets numSelfAttentionBlocks. */
        public Builder numSelfAttentionBlocks(Integer value) {
            this.numSelfAttentionBlocks = value;
            return this;
        }

        /** Sets firstSelfAttentionBlockShared. */
        public Builder firstSelfAttentionBlockShared(Boolean value) {
            this.firstSelfAttentionBlockShared = value;
            return this;
        }

        /** Sets selfAttentionWideningFactor. */
        public Builder selfAttentionWideningFactor(Integer value) {
            this.selfAttentionWideningFactor = value;
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
        public EncoderConfig build() {
            return new EncoderConfig(
                    numCrossAttentionHeads,
                    numCrossAttentionQkChannels,
                    numCrossAttentionVChannels,
                    numCrossAttentionLayers,
                    firstCrossAttentionLayerShared,
                    crossAttentionWideningFactor,
                    numSelfAttentionHeads,
                    numSelfAttentionQkChannels,
                    numSelfAttentionVChannels,
                    numSelfAttentionLayersPerBlock,
                    numSelfAttentionBlocks,
                    firstSelfAttentionBlockShared,
                    selfAttentionWideningFactor,
                    dropout,
                    initScale,
                    freeze);
        }
    }
}
