package dev.perceiver.model.blocks;

import dev.perceiver.nn.Checks;

/**
 * Options of a {@link MultiHeadAttention}, and of the {@link CrossAttention} and {@link SelfAttention} modules around
 * one, named as the reference's constructor arguments. Build with {@link #builder()}. The optional channel counts
 * (null) take the reference's defaults: num_qk_channels = num_q_input_channels, num_v_channels = num_qk_channels,
 * num_output_channels = num_q_input_channels, max_heads_parallel = num_heads.
 *
 * @param numHeads h, at least 1
 * @param numQInputChannels channels of the queries' input
 * @param numKvInputChannels channels of the keys' and values' input
 * @param numQkChannels query/key channels (divisible by h), or null
 * @param numVChannels value channels (divisible by h), or null
 * @param numOutputChannels output channels, or null
 * @param maxHeadsParallel heads computed at once (same result, less memory), or null
 * @param causalAttention whether query i may only see keys up to its own (right-aligned) position
 * @param dropout attention dropout probability, in [0, 1)
 * @param qkvBias whether q_proj, k_proj and v_proj have a bias
 * @param outBias whether o_proj has a bias
 * @param initScale standard deviation of the initial weights
 */
public record AttentionSpec(
        int numHeads,
        int numQInputChannels,
        int numKvInputChannels,
        Integer numQkChannels,
        Integer numVChannels,
        Integer numOutputChannels,
        Integer maxHeadsParallel,
        boolean causalAttention,
        double dropout,
        boolean qkvBias,
        boolean outBias,
        double initScale) {

    /** Validates the options; messages name the option, the value and the rule. */
    public AttentionSpec {
        Checks.positive("num_heads", numHeads);
        Checks.positive("num_q_input_channels", numQInputChannels);
        Checks.positive("num_kv_input_channels", numKvInputChannels);
        Checks.probability("dropout", dropout);
        int qk = numQkChannels == null ? numQInputChannels : numQkChannels;
        int v = numVChannels == null ? qk : numVChannels;
        Checks.positive("num_qk_channels", qk);
        Checks.positive("num_v_channels", v);
        Checks.positive("num_output_channels", numOutputChannels == null ? numQInputChannels : numOutputChannels);
        Checks.divisible("num_qk_channels", qk, "num_heads", numHeads);
        Checks.divisible("num_v_channels", v, "num_heads", numHeads);
        Checks.positive("max_heads_parallel", maxHeadsParallel == null ? numHeads : maxHeadsParallel);
    }

    /** Query/key channels with the default applied. */
    public int qkChannels() {
        return numQkChannels == null ? numQInputChannels : numQkChannels;
    }

    /** Value channels with the default applied. */
    public int vChannels() {
        return numVChannels == null ? qkChannels() : numVChannels;
    }

    /** Output channels with the default applied. */
    public int outputChannels() {
        return numOutputChannels == null ? numQInputChannels : numOutputChannels;
    }

    /** Heads computed at once with the default applied. */
    public int headsInParallel() {
        return maxHeadsParallel == null ? numHeads : maxHeadsParallel;
    }

    /** A builder with the reference's defaults (see {@link Builder}). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with these options. */
    public Builder toBuilder() {
        return new Builder()
                .numHeads(numHeads)
                .numQInputChannels(numQInputChannels)
                .numKvInputChannels(numKvInputChannels)
                .numQkChannels(numQkChannels)
                .numVChannels(numVChannels)
                .numOutputChannels(numOutputChannels)
                .maxHeadsParallel(maxHeadsParallel)
                .causalAttention(causalAttention)
                .dropout(dropout)
                .qkvBias(qkvBias)
                .outBias(outBias)
                .initScale(initScale);
    }

    /**
     * Builds an {@link AttentionSpec}. num_heads and num_q_input_channels must be set; num_kv_input_channels defaults
     * to num_q_input_channels; the rest default as in the reference: optional channel counts and
     * max_heads_parallel null, causal_attention false, dropout 0, qkv_bias and out_bias true, init_scale 0.02.
     */
    public static final class Builder {
        private Integer numHeads;
        private Integer numQInputChannels;
        private Integer numKvInputChannels;
        private Integer numQkChannels;
        private Integer numVChannels;
        private Integer numOutputChannels;
        private Integer maxHeadsParallel;
        private boolean causalAttention;
        private double dropout;
        private boolean qkvBias = true;
        private boolean outBias = true;
        private double initScale = 0.02;

        private Builder() {}

        public Builder numHeads(int value) {
            numHeads = value;
            return this;
        }

        public Builder numQInputChannels(int value) {
            numQInputChannels = value;
            return this;
        }

        public Builder numKvInputChannels(int value) {
            numKvInputChannels = value;
            return this;
        }

        /** Sets num_q_input_channels and num_kv_input_channels to {@code value} (self-attention). */
        public Builder numChannels(int value) {
            numQInputChannels = value;
            numKvInputChannels = value;
            return this;
        }

        /** Null = num_q_input_channels. */
        public Builder numQkChannels(Integer value) {
            numQkChannels = value;
            return this;
        }

        /** Null = num_qk_channels. */
        public Builder numVChannels(Integer value) {
            numVChannels = value;
            return this;
        }

        /** Null = num_q_input_channels. */
        public Builder numOutputChannels(Integer value) {
            numOutputChannels = value;
            return this;
        }

        /** Null = num_heads. */
        public Builder maxHeadsParallel(Integer value) {
            maxHeadsParallel = value;
            return this;
        }

        public Builder causalAttention(boolean value) {
            causalAttention = value;
            return this;
        }

        public Builder dropout(double value) {
            dropout = value;
            return this;
        }

        public Builder qkvBias(boolean value) {
            qkvBias = value;
            return this;
        }

        public Builder outBias(boolean value) {
            outBias = value;
            return this;
        }

        public Builder initScale(double value) {
            initScale = value;
            return this;
        }

        /** The spec; fails when num_heads or num_q_input_channels is unset or an option is out of range. */
        public AttentionSpec build() {
            Checks.require(numHeads != null, "num_heads must be set");
            Checks.require(numQInputChannels != null, "num_q_input_channels must be set");
            return new AttentionSpec(
                    numHeads,
                    numQInputChannels,
                    numKvInputChannels == null ? numQInputChannels : numKvInputChannels,
                    numQkChannels,
                    numVChannels,
                    numOutputChannels,
                    maxHeadsParallel,
                    causalAttention,
                    dropout,
                    qkvBias,
                    outBias,
                    initScale);
        }
    }
}
