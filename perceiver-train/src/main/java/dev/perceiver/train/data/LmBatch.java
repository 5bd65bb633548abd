package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.PaddedBatch;

/**
 * A batch for masked or causal language modelling.
 *
 * @param input input token ids (batchSize, seqLen) and their pad mask (true = padding); right-padded for masked,
 *     left-padded for causal language modelling
 * @param labels target ids, shape {@code (batchSize, seqLen)}, {@link #IGNORE_LABEL} where no loss is taken
 *     (unselected MLM positions, padding)
 */
public record LmBatch(PaddedBatch input, long[][] labels) {
    /** Label value excluded from the loss (PyTorch's cross-entropy default {@code ignore_index}). */
    public static final long IGNORE_LABEL = -100;

    /** Input token ids, shape {@code (batchSize, seqLen)}. */
    public long[][] x() {
        return input.ids();
    }

    /** Shape {@code (batchSize, seqLen)}, {@code true} at padding positions. */
    public boolean[][] padMask() {
        return input.padMask();
    }

    /** Number of sequences. */
    public int batchSize() {
        return input.batchSize();
    }

    /** Sequence length. */
    public int seqLen() {
        return input.length();
    }
}
