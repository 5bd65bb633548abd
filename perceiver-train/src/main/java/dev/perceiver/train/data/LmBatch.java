package dev.perceiver.train.data;

/**
 * A batch for masked or causal language modelling.
 *
 * @param x input token ids, shape {@code (batchSize, seqLen)}
 * @param labels target ids, shape {@code (batchSize, seqLen)}, {@link #IGNORE_LABEL} where no loss is taken
 *     (unselected MLM positions, padding)
 * @param padMask shape {@code (batchSize, seqLen)}, {@code true} at padding positions
 */
public record LmBatch(long[][] x, long[][] labels, boolean[][] padMask) {
    /** Label value excluded from the loss (PyTorch's cross-entropy default {@code ignore_index}). */
    public static final long IGNORE_LABEL = -100;

    /** Number of sequences. */
    public int batchSize() {
        return x.length;
    }

    /** Sequence length (0 for an empty batch). */
    public int seqLen() {
        return x.length == 0 ? 0 : x[0].length;
    }
}
