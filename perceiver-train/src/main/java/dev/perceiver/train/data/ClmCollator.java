package dev.perceiver.train.data;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Turns CLM chunks into batches: {@code x = chunk[:-1]}, {@code labels = chunk[1:]}, left-padded to the longest
 * example (Perceiver AR requires left padding) with labels {@link LmBatch#IGNORE_LABEL} at padding. If a
 * {@link RandomTruncation} is given (training), the batch is then randomly truncated.
 */
public final class ClmCollator {
    private final int padId;
    private final RandomTruncation truncation;

    /**
     * Creates a collator.
     *
     * @param padId padding token id
     * @param truncation random truncation for training, or {@code null} for none (validation)
     */
    public ClmCollator(int padId, RandomTruncation truncation) {
        this.padId = padId;
        this.truncation = truncation;
    }

    /**
     * Collates chunks of at least two tokens each.
     *
     * @param random source for the truncation length (unused without truncation)
     * @return batch of shape {@code (chunks.size(), seqLen)} with {@code seqLen <= longest chunk - 1}
     */
    public LmBatch collate(List<long[]> chunks, Random random) {
        int len = 0;
        for (long[] c : chunks) {
            if (c.length < 2) {
                throw new IllegalArgumentException("a CLM chunk needs at least 2 tokens, got " + c.length);
            }
            len = Math.max(len, c.length - 1);
        }
        int b = chunks.size();
        long[][] x = new long[b][len];
        long[][] labels = new long[b][len];
        boolean[][] pad = new boolean[b][len];
        for (int i = 0; i < b; i++) {
            long[] c = chunks.get(i);
            int n = c.length - 1;
            int off = len - n;
            Arrays.fill(x[i], 0, off, padId);
            Arrays.fill(labels[i], 0, off, LmBatch.IGNORE_LABEL);
            Arrays.fill(pad[i], 0, off, true);
            System.arraycopy(c, 0, x[i], off, n);
            System.arraycopy(c, 1, labels[i], off, n);
        }
        LmBatch batch = new LmBatch(x, labels, pad);
        return truncation == null ? batch : truncation.apply(batch, random);
    }

    /** Collates the examples of {@code dataset} at {@code indices}. */
    public LmBatch collate(ClmDataset dataset, int[] indices, Random random) {
        return collate(dataset.chunks(indices), random);
    }
}
