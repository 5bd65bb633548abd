package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.SpecialToken;
import dev.perceiver.inference.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Random;

/**
 * Whole-word masking: each word (a run of tokens with the same word id, see
 * {@link Tokenizer#encodeWithWordIds}) is selected with probability {@code maskProb} (default 0.15). All tokens of a
 * selected word get labels and share one decision: with probability 0.8 all are replaced by the mask token, with 0.1
 * each is replaced by an independent random token, with 0.1 all stay unchanged. Special tokens are never selected.
 */
public final class WordMasker implements MlmMasker {
    private final Tokenizer tokenizer;
    private final long maskId;
    private final double maskProb;

    /**
     * Creates a masker with word selection probability {@code maskProb} in {@code [0, 1]}.
     *
     * @throws IllegalArgumentException if the tokenizer has no mask token
     */
    public WordMasker(Tokenizer tokenizer, double maskProb) {
        if (!(maskProb >= 0 && maskProb <= 1)) {
            throw new IllegalArgumentException("maskProb must be in [0, 1]: " + maskProb);
        }
        this.tokenizer = tokenizer;
        this.maskId = tokenizer.requireTokenId(SpecialToken.MASK, "masked language modelling");
        this.maskProb = maskProb;
    }

    /** Creates a masker with word selection probability 0.15. */
    public WordMasker(Tokenizer tokenizer) {
        this(tokenizer, 0.15);
    }

    @Override
    public MaskedSequence mask(MlmExample example, Random random) {
        long[] input = example.tokenIds().clone();
        int[] words = example.wordIds();
        long[] labels = new long[input.length];
        Arrays.fill(labels, LmBatch.IGNORE_LABEL);
        int i = 0;
        while (i < input.length) {
            if (words[i] == Tokenizer.NO_WORD) {
                i++;
                continue;
            }
            int end = i + 1;
            while (end < input.length && words[end] == words[i]) {
                end++;
            }
            if (random.nextDouble() < maskProb) {
                maskWord(input, labels, i, end, random);
            }
            i = end;
        }
        return new MaskedSequence(input, labels);
    }

    private void maskWord(long[] input, long[] labels, int from, int to, Random random) {
        double r0 = random.nextDouble();
        double r1 = random.nextDouble();
        for (int k = from; k < to; k++) {
            labels[k] = input[k];
            if (r0 < MASK_TOKEN_PROB) {
                input[k] = maskId;
            } else if (r1 < RANDOM_TOKEN_PROB_OF_REST) {
                input[k] = random.nextInt(tokenizer.vocabSize());
            }
        }
    }
}
