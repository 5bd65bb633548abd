package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Perceiver AR options (reference {@code PerceiverARConfig}) together with the causal sequence model options
 * (reference {@code CausalSequenceModelConfig}): vocab_size, max_seq_len, max_latents, num_channels, output_norm,
 * output_bias, abs_pos_emb, init_scale. Used by the causal language model and the symbolic audio model. Build one with
 * {@link #builder}; unset (null) fields take the reference defaults.
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
        Double initScale)
        implements ModelConfig {

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
    public static PerceiverARConfig fromJson(JsonNode node) {
        return ConfigJson.bind(node, PerceiverARConfig.class, "model", Set.of());
    }

    /** All defaults. */
    public static PerceiverARConfig defaults() {
        return builder().build();
    }

    /** JSON tree with the reference's field names. */
    @Override
    public ObjectNode toJson() {
        return ConfigJson.tree(this);
    }

    /** Largest prefix: max_seq_len - max_latents. */
    public int maxPrefixLen() {
        return maxSeqLen - maxLatents;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder()
                .numHeads(numHeads)
                .maxHeadsParallel(maxHeadsParallel)
                .numSelfAttentionLayers(numSelfAttentionLayers)
                .numSelfAttentionRotaryLayers(numSelfAttentionRotaryLayers)
                .selfAttentionWideningFactor(selfAttentionWideningFactor)
                .crossAttentionWideningFactor(crossAttentionWideningFactor)
                .crossAttentionDropout(crossAttentionDropout)
                .postAttentionDropout(postAttentionDropout)
                .residualDropout(residualDropout)
                .activationCheckpointing(activationCheckpointing)
                .activationOffloading(activationOffloading)
                .vocabSize(vocabSize)
                .maxSeqLen(maxSeqLen)
                .maxLatents(maxLatents)
                .numChannels(numChannels)
                .outputNorm(outputNorm)
                .outputBias(outputBias)
                .absPosEmb(absPosEmb)
                .initScale(initScale);
    }

    /** Builder of {@link PerceiverARConfig}; unset fields take the reference defaults. */
    public static final class Builder {
        private Integer numHeads;
        private Integer maxHeadsParallel;
        private Integer numSelfAttentionLayers;
        private Integer numSelfAttentionRotaryLayers;
        private Integer selfAttentionWideningFactor;
        private Integer crossAttentionWideningFactor;
        private Double crossAttentionDropout;
        private Double postAttentionDropout;
        private Double residualDropout;
        private Boolean activationCheckpointing;
        private Boolean activationOffloading;
        private Integer vocabSize;
        private Integer maxSeqLen;
        private Integer maxLatents;
        private Integer numChannels;
        private Boolean outputNorm;
        private Boolean outputBias;
        private Boolean absPosEmb;
        private Double initScale;

        /** Sets num_heads. */
        public Builder numHeads(Integer value) {
            this.numHeads = value;
            return this;
        }

        /** Sets max_heads_parallel. */
        public Builder maxHeadsParallel(Integer value) {
            this.maxHeadsParallel = value;
            return this;
        }

        /** Sets num_self_attention_layers. */
        public Builder numSelfAttentionLayers(Integer value) {
            this.numSelfAttentionLayers = value;
            return this;
        }

        /** Sets num_self_attention_rotary_layers. */
        public Builder numSelfAttentionRotaryLayers(Integer value) {
            this.numSelfAttentionRotaryLayers = value;
            return this;
        }

        /** Sets self_attention_widening_factor. */
        public Builder selfAttentionWideningFactor(Integer value) {
            this.selfAttentionWideningFactor = value;
            return this;
        }

        /** Sets cross_attention_widening_factor. */
        public Builder crossAttentionWideningFactor(Integer value) {
            this.crossAttentionWideningFactor = value;
            return this;
        }

        /** Sets cross_attention_dropout. */
        public Builder crossAttentionDropout(Double value) {
            this.crossAttentionDropout = value;
            return this;
        }

        /** Sets post_attention_dropout. */
        public Builder postAttentionDropout(Double value) {
            this.postAttentionDropout = value;
            return this;
        }

        /** Sets residual_dropout. */
        public Builder residualDropout(Double value) {
            this.residualDropout = value;
            return this;
        }

        /** Sets activation_checkpointing. */
        public Builder activationCheckpointing(Boolean value) {
            this.activationCheckpointing = value;
            return this;
        }

        /** Sets activation_offloading. */
        public Builder activationOffloading(Boolean value) {
            this.activationOffloading = value;
            return this;
        }

        /** Sets vocab_size. */
        public Builder vocabSize(Integer value) {
            this.vocabSize = value;
            return this;
        }

        /** Sets max_seq_len. */
        public Builder maxSeqLen(Integer value) {
            this.maxSeqLen = value;
            return this;
        }

        /** Sets max_latents. */
        public Builder maxLatents(Integer value) {
            this.maxLatents = value;
            return this;
        }

        /** Sets num_channels. */
        public Builder numChannels(Integer value) {
            this.numChannels = value;
            return this;
        }

        /** Sets output_norm. */
        public Builder outputNorm(Boolean value) {
            this.outputNorm = value;
            return this;
        }

        /** Sets output_bias. */
        public Builder outputBias(Boolean value) {
            this.outputBias = value;
            return this;
        }

        /** Sets abs_pos_emb. */
        public Builder absPosEmb(Boolean value) {
            this.absPosEmb = value;
            return this;
        }

        /** Sets init_scale. */
        public Builder initScale(Double value) {
            this.initScale = value;
            return this;
        }

        /** Builds and validates the config. */
        public PerceiverARConfig build() {
            return new PerceiverARConfig(
                    numHeads,
                    maxHeadsParallel,
                    numSelfAttentionLayers,
                    numSelfAttentionRotaryLayers,
                    selfAttentionWideningFactor,
                    crossAttentionWideningFactor,
                    crossAttentionDropout,
                    postAttentionDropout,
                    residualDropout,
                    activationCheckpointing,
                    activationOffloading,
                    vocabSize,
                    maxSeqLen,
                    maxLatents,
                    numChannels,
                    outputNorm,
                    outputBias,
                    absPosEmb,
                    initScale);
        }
    }
}
