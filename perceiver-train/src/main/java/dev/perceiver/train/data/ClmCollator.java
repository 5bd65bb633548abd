package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.PaddedBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Turns CLM chunks into batches: {@code x = chunk[:-1]}, {@code labels = chunk[1:]}, left-padded to the longest
 * example (Perceiver AR requires left padding) with labels {@link LmBatch#IGNORE_LABEL} at padding. If a
 * {@link RandomTruncation} is given (training), the batch is then randomly truncated.
 */
public final class ClmCollator {
    private final long padId;
    private final RandomTruncation truncation;

    /**
     * Creates a collator.
     *
     * @param padId padding token id
     * @param truncation random truncation for training, or {@code null} for none (validation)
     */
    public ClmCollator(long padId, RandomTruncation truncation) {
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
        List<long[]> inputs = new ArrayList<>(chunks.size());
        List<long[]> labels = new ArrayList<>(chunks.size());
        for (long[] c : chunks) {
            if (c.length < 2) {
                throw new IllegalArgumentException("a CLM chunk needs at least 2 tokens, got " + c.length);
            }
            inputs.add(Arrays.copyOfRange(c, 0, c.length - 1));
            labels.add(Arrays.copyOfRange(c, 1, c.length));
        }
        LmBatch batch = new LmBatch(
                PaddedBatch.of(inputs, padId, PaddedBatch.Side.LEFT),
                PaddedBatch.of(labels, LmBatch.IGNORE_LABEL, PaddedBatch.Side.LEFT)
                        .ids());
        return truncation == null ? batch : truncation.apply(batch, random);
    }

    /** Collates the examples of {@code dataset} at {@code indices}. */
    public LmBatch collate(ClmDataset dataset, int[] indices, Random random) {
        return collate(dataset.chunks(indices), random);
    }
}
