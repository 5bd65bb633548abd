package dev.perceiver.inference.tokenizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * A padded batch of token id sequences, as produced by {@link BytesTokenizer#encodeBatch} and
 * {@link BytesTokenizer#pad}.
 *
 * <p>Both arrays have the shape {@code [batchSize][length]}. In {@code attentionMask} a {@code 1}
 * marks a real token and a {@code 0} marks a padding position (which holds
 * {@link BytesTokenizer#PAD_ID} in {@code ids}). {@code equals} and {@code hashCode} compare
 * the array contents.
 *
 * @param ids token ids, one row per input text
 * @param attentionMask 1 for a token, 0 for padding, same shape as {@code ids}
 */
public record Encoding(long[][] ids, long[][] attentionMask) {

    /**
     * Validates that both arrays are non-null, rectangular and of the same shape.
     *
     * @param ids token ids, one row per input text
     * @param attentionMask 1 for a token, 0 for padding
     * @throws IllegalArgumentException if the shapes differ or rows have different lengths
     */
    public Encoding {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(attentionMask, "attentionMask");
        if (ids.length != attentionMask.length) {
            throw new IllegalArgumentException(
                    "ids has " + ids.length + " rows but attentionMask has " + attentionMask.length);
        }
        int width = ids.length == 0 ? 0 : ids[0].length;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].length != width || attentionMask[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has length " + ids[i].length + " (ids) / "
                        + attentionMask[i].length + " (mask), expected " + width);
            }
        }
    }

    /** @return the number of sequences (rows) in the batch */
    public int batchSize() {
        return ids.length;
    }

    /** @return the common (padded) length of every row, 0 for an empty batch */
    public int length() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    /**
     * Compares the array contents of this and another encoding.
     *
     * @param o the object to compare with
     * @return true if {@code o} is an {@code Encoding} with element-wise equal ids and masks
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding other
                && Arrays.deepEquals(ids, other.ids)
                && Arrays.deepEquals(attentionMask, other.attentionMask);
    }

    /** @return a hash of the array contents, consistent with {@link #equals(Object)} */
    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(ids) + Arrays.deepHashCode(attentionMask);
    }

    /** @return a readable rendering of ids and mask, for debugging */
    @Override
    public String toString() {
        return "Encoding[ids=" + Arrays.deepToString(ids) + ", attentionMask=" + Arrays.deepToString(attentionMask)
                + "]";
    }
}
