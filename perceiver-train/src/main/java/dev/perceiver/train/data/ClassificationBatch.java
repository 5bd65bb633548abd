package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.PaddedBatch;

/**
 * A text classification batch.
 *
 * @param input token ids (batchSize, seqLen), right-padded, and their pad mask (true = padding)
 * @param y class ids, shape {@code (batchSize)}
 */
public record ClassificationBatch(PaddedBatch input, long[] y) {
    /** Token ids, shape {@code (batchSize, seqLen)}. */
    public long[][] x() {
        return input.ids();
    }

    /** Shape {@code (batchSize, seqLen)}, {@code true} at padding. */
    public boolean[][] padMask() {
        return input.padMask();
    }

    /** Number of examples. */
    public int batchSize() {
        return y.length;
    }

    /** Sequence length. */
    public int seqLen() {
        return input.length();
    }
}
