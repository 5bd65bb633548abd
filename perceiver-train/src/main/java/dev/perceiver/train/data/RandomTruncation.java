package dev.perceiver.train.data;

import java.util.Arrays;
import java.util.Random;

/**
 * Random truncation of training batches, as the reference's {@code random_train_truncation} /
 * {@code random_min_seq_len}: a batch of length {@code L > minSeqLen} keeps only a prefix of length
 * {@code L - d}, where {@code d} is drawn uniformly from {@code 1..L-minSeqLen}; the kept length is thus uniform
 * in {@code minSeqLen..L-1}. The same cut applies to all rows of the batch and to inputs, labels and pad mask.
 * Batches with {@code L <= minSeqLen} are returned unchanged. For Perceiver AR choose
 * {@code minSeqLen >= numLatents}.
 */
public final class RandomTruncation {
    private final int minSeqLen;

    /** Creates a truncation keeping at least {@code minSeqLen} (positive) positions. */
    public RandomTruncation(int minSeqLen) {
        if (minSeqLen <= 0) {
            throw new IllegalArgumentException("minSeqLen must be positive: " + minSeqLen);
        }
        this.minSeqLen = minSeqLen;
    }

    /** Minimum kept sequence length. */
    public int minSeqLen() {
        return minSeqLen;
    }

    /** Truncates {@code batch} (not modified) with a length drawn from {@code random}. */
    public LmBatch apply(LmBatch batch, Random random) {
        int len = batch.seqLen();
        if (len <= minSeqLen) {
            return batch;
        }
        int drop = 1 + random.nextInt(len - minSeqLen);
        return prefix(batch, len - drop);
    }

    /** The first {@code keep} positions of every row. */
    static LmBatch prefix(LmBatch batch, int keep) {
        long[][] labels = new long[batch.batchSize()][];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = Arrays.copyOf(batch.labels()[i], keep);
        }
        return new LmBatch(batch.input().prefix(keep), labels);
    }
}
