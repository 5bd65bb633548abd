package dev.perceiver.train.data;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Masks MLM examples dynamically (fresh masks every call) and pads them on the right to the longest example
 * of the batch.
 */
public final class MlmCollator {
    private final MlmMasker masker;
    private final int padId;

    /** Creates a collator using {@code masker} and padding with {@code padId}. */
    public MlmCollator(MlmMasker masker, int padId) {
        this.masker = masker;
        this.padId = padId;
    }

    /**
     * Masks and pads a batch.
     *
     * @return batch of shape {@code (examples.size(), maxLen)}; padding has label {@link LmBatch#IGNORE_LABEL}
     */
    public LmBatch collate(List<MlmExample> examples, Random random) {
        int len = 0;
        for (MlmExample e : examples) {
            len = Math.max(len, e.tokenIds().length);
        }
        int b = examples.size();
        long[][] x = new long[b][len];
        long[][] labels = new long[b][len];
        boolean[][] pad = new boolean[b][len];
        for (int i = 0; i < b; i++) {
            MaskedSequence m = masker.mask(examples.get(i), random);
            int n = m.input().length;
            Arrays.fill(x[i], padId);
            Arrays.fill(labels[i], LmBatch.IGNORE_LABEL);
            System.arraycopy(m.input(), 0, x[i], 0, n);
            System.arraycopy(m.labels(), 0, labels[i], 0, n);
            Arrays.fill(pad[i], n, len, true);
        }
        return new LmBatch(x, labels, pad);
    }
}
