package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.Tokenizer;

/**
 * One unmasked masked-language-modelling example.
 *
 * @param tokenIds token ids, shape {@code (n)}
 * @param wordIds word ids aligned with {@code tokenIds}, shape {@code (n)}, {@link Tokenizer#NO_WORD} for
 *     special tokens
 */
public record MlmExample(long[] tokenIds, int[] wordIds) {
    /** Both arrays must have the same length. */
    public MlmExample {
        if (tokenIds.length != wordIds.length) {
            throw new IllegalArgumentException(
                    "tokenIds and wordIds differ in length: " + tokenIds.length + " vs " + wordIds.length);
        }
    }
}
