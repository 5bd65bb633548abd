package dev.perceiver.model.blocks;

import dev.perceiver.nn.Checks;

/**
 * Options of an attention layer (attention and MLP, each with a residual connection: {@link CrossAttentionLayer},
 * {@link SelfAttentionLayer}, and the layers of a {@link SelfAttentionBlock}), named as the reference's constructor
 * arguments. Build with {@link #builder()}.
 *
 * @param attention options of the attention
 * @param wideningFactor hidden channels of the MLP per input channel, at least 1
 * @param residualDropout dropout probability of both residual branches, in [0, 1)
 * @param attentionResidual whether the attention has a residual connection (cross-attention layers only; a
 *     self-attention layer always has one)
 * @param mlpBias whether the MLP's linear layers have a bias
 */
public record AttentionLayerSpec(
        AttentionSpec attention,
        int wideningFactor,
        double residualDropout,
        boolean attentionResidual,
        boolean mlpBias) {

    /** Validates the options; messages name the option, the value and the rule. */
    public AttentionLayerSpec {
        Checks.require(attention != null, "attention options must be set");
        Checks.positive("widening_factor", wideningFactor);
        Checks.probability("residual_dropout", residualDropout);
    }

    /** A builder with the reference's defaults (see {@link Builder}). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds an {@link AttentionLayerSpec}. The attention options must be set; the rest default as in the reference:
     * widening_factor 1, residual_dropout 0, attention_residual true, mlp_bias true.
     */
    public static final class Builder {
        private AttentionSpec attention;
        private int wideningFactor = 1;
        private double residualDropout;
        private boolean attentionResidual = true;
        private boolean mlpBias = true;

        private Builder() {}

        public Builder attention(AttentionSpec value) {
            attention = value;
            return this;
        }

        public Builder wideningFactor(int value) {
            wideningFactor = value;
            return this;
        }

        public Builder residualDropout(double value) {
            residualDropout = value;
            return this;
        }

        public Builder attentionResidual(boolean value) {
            attentionResidual = value;
            return this;
        }

        public Builder mlpBias(boolean value) {
            mlpBias = value;
            return this;
        }

        /** The spec; fails when the attention options are unset or an option is out of range. */
        public AttentionLayerSpec build() {
            return new AttentionLayerSpec(attention, wideningFactor, residualDropout, attentionResidual, mlpBias);
        }
    }
}
