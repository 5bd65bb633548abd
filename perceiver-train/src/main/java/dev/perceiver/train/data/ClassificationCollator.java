package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.PaddedBatch;
import dev.perceiver.inference.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes labelled texts, truncates each to {@code maxSeqLen} tokens and pads on the right to the longest
 * example of the batch (at least 1, at most {@code maxSeqLen}), as the reference's classification collator.
 */
public final class ClassificationCollator {
    private final Tokenizer tokenizer;
    private final int maxSeqLen;

    /** Creates a collator producing sequences of at most {@code maxSeqLen} (positive) tokens. */
    public ClassificationCollator(Tokenizer tokenizer, int maxSeqLen) {
        if (maxSeqLen <= 0) {
            throw new IllegalArgumentException("maxSeqLen must be positive: " + maxSeqLen);
        }
        this.tokenizer = tokenizer;
        this.maxSeqLen = maxSeqLen;
    }

    /** Builds a batch of shape {@code (examples.size(), seqLen)}. */
    public ClassificationBatch collate(List<LabeledText> examples) {
        int b = examples.size();
        List<long[]> ids = new ArrayList<>(b);
        int len = 1;
        long[] y = new long[b];
        for (int i = 0; i < b; i++) {
            long[] enc = tokenizer.encode(examples.get(i).text(), false);
            ids.add(enc.length > maxSeqLen ? Arrays.copyOf(enc, maxSeqLen) : enc);
            len = Math.max(len, ids.get(i).length);
            y[i] = examples.get(i).label();
        }
        return new ClassificationBatch(PaddedBatch.of(ids, tokenizer.padTokenId(), PaddedBatch.Side.RIGHT, len), y);
    }
}
