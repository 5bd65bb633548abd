package dev.perceiver.train.data;

import java.util.Arrays;
import java.util.List;

/**
 * Encodes labelled texts, truncates each to {@code maxSeqLen} tokens and pads on the right to the longest
 * example of the batch (at least 1, at most {@code maxSeqLen}), as the reference's classification collator.
 */
public final class ClassificationCollator {
    private final TextTokenizer tokenizer;
    private final int maxSeqLen;

    /** Creates a collator producing sequences of at most {@code maxSeqLen} (positive) tokens. */
    public ClassificationCollator(TextTokenizer tokenizer, int maxSeqLen) {
        if (maxSeqLen <= 0) {
            throw new IllegalArgumentException("maxSeqLen must be positive: " + maxSeqLen);
        }
        this.tokenizer = tokenizer;
        this.maxSeqLen = maxSeqLen;
    }

    /** Builds a batch of shape {@code (examples.size(), seqLen)}. */
    public ClassificationBatch collate(List<LabeledText> examples) {
        int b = examples.size();
        long[][] ids = new long[b][];
        int len = 1;
        for (int i = 0; i < b; i++) {
            long[] enc = tokenizer.encode(examples.get(i).text());
            ids[i] = enc.length > maxSeqLen ? Arrays.copyOf(enc, maxSeqLen) : enc;
            len = Math.max(len, ids[i].length);
        }
        long[][] x = new long[b][len];
        boolean[][] pad = new boolean[b][len];
        long[] y = new long[b];
        for (int i = 0; i < b; i++) {
            Arrays.fill(x[i], tokenizer.padId());
            System.arraycopy(ids[i], 0, x[i], 0, ids[i].length);
            Arrays.fill(pad[i], ids[i].length, len, true);
            y[i] = examples.get(i).label();
        }
        return new ClassificationBatch(x, pad, y);
    }
}
