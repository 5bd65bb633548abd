package dev.perceiver.train.data;

import java.util.Random;

/**
 * A masking strategy for masked language modelling. Selected positions are replaced by the mask token with
 * probability 0.8, by a token drawn uniformly from {@code 0..vocabSize-1} with probability 0.1, and left
 * unchanged with probability 0.1; only selected positions get a label.
 */
public interface MlmMasker {
    /** Probability that a selected position is replaced by the mask token. */
    double MASK_TOKEN_PROB = 0.8;
    /** Probability that a selected, not mask-replaced position is replaced by a random token. */
    double RANDOM_TOKEN_PROB_OF_REST = 0.5;

    /** Masks one example; does not modify it. All randomness comes from {@code random}. */
    MaskedSequence mask(MlmExample example, Random random);
}
