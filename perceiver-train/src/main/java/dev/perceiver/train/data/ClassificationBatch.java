package dev.perceiver.train.data;

/**
 * A text classification batch.
 *
 * @param x token ids, shape {@code (batchSize, seqLen)}, right-padded
 * @param padMask shape {@code (batchSize, seqLen)}, {@code true} at padding
 * @param y class ids, shape {@code (batchSize)}
 */
public record ClassificationBatch(long[][] x, boolean[][] padMask, long[] y) {
    /** Number of examples. */
    public int batchSize() {
        return y.length;
    }

    /** Sequence length. */
    public int seqLen() {
        return x.length == 0 ? 0 : x[0].length;
    }
}
