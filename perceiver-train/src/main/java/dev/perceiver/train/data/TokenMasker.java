package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.SpecialToken;
import dev.perceiver.inference.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Random;

/**
 * Token-level masking: every non-special token is selected independently with probability {@code maskProb}
 * (default 0.15), then replaced 80% / 10% / 10% as described in {@link MlmMasker}.
 */
public final class TokenMasker implements MlmMasker {
    private final Tokenizer tokenizer;
    private final long maskId;
    private final double maskProb;

    /**
     * Creates a masker with selection probability {@code maskProb} in {@code [0, 1]}.
     *
     * @throws IllegalArgumentException if the tokenizer has no mask token
     */
    public TokenMasker(Tokenizer tokenizer, double maskProb) {
        if (!(maskProb >= 0 && maskProb <= 1)) {
            throw new IllegalArgumentException("maskProb must be in [0, 1]: " + maskProb);
        }
        this.tokenizer = tokenizer;
        this.maskId = tokenizer.requireTokenId(SpecialToken.MASK, "masked language modelling");
        this.maskProb = maskProb;
    }

    /** Creates a masker with selection probability 0.15. */
    public TokenMasker(Tokenizer tokenizer) {
        this(tokenizer, 0.15);
    }

    @Override
    public MaskedSequence mask(MlmExample example, Random random) {
        long[] input = example.tokenIds().clone();
        long[] labels = new long[input.length];
        Arrays.fill(labels, LmBatch.IGNORE_LABEL);
        for (int i = 0; i < input.length; i++) {
            if (tokenizer.isSpecial(input[i]) || random.nextDouble() >= maskProb) {
                continue;
            }
            labels[i] = input[i];
            if (random.nextDouble() < MASK_TOKEN_PROB) {
                input[i] = maskId;
            } else if (random.nextDouble() < RANDOM_TOKEN_PROB_OF_REST) {
                input[i] = random.nextInt(tokenizer.vocabSize());
            }
        }
        return new MaskedSequence(input, labels);
    }
}
