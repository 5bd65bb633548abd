package dev.perceiver.inference.tokenizer;

/**
 * A text encoded into token ids, with the word each token belongs to (for whole-word masking).
 *
 * @param ids token ids, shape (n), each in [0, vocab_size)
 * @param wordIds word ids, shape (n): tokens of one word share an id, distinct words have distinct ids, ids never
 *     decrease along the text but need not be consecutive; {@link Tokenizer#NO_WORD} for special tokens
 */
public record EncodedText(long[] ids, int[] wordIds) {
    /** Both arrays must have the same length. */
    public EncodedText {
        if (ids.length != wordIds.length) {
            throw new IllegalArgumentException(
                    "ids (" + ids.length + ") and wordIds (" + wordIds.length + ") must have the same length");
        }
    }
}
