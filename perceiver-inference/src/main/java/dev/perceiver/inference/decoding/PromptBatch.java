package dev.perceiver.inference.decoding;

import dev.perceiver.inference.tokenizer.PaddedBatch;
import java.util.List;

/**
 * The prompts of a {@link CausalGenerator}: a left-padded {@link PaddedBatch} (ids (b, n), pad mask (b, n) with
 * true = padding) in which every row holds at least one token. Perceiver AR expects left padding: the last prompt
 * token of every row is at column n - 1, where generation continues.
 */
public final class PromptBatch {
    private final PaddedBatch batch;

    /**
     * @param batch left-padded prompts, b >= 1, every row with at least one token
     * @throws IllegalArgumentException if the batch is right-padded or a row is only padding
     */
    public PromptBatch(PaddedBatch batch) {
        if (batch.side() != PaddedBatch.Side.LEFT && batch.hasPadding()) {
            throw new IllegalArgumentException("prompts are " + batch.side() + "-padded; Perceiver AR needs them "
                    + "left-padded (the last prompt token of every row at the last column)");
        }
        for (int r = 0; r < batch.batchSize(); r++) {
            if (batch.rowLength(r) == 0) {
                throw new IllegalArgumentException("prompt " + r + " is empty; at least 1 token is required");
            }
        }
        this.batch = batch;
    }

    /** Left-pads prompts of different lengths with {@code padTokenId}. */
    public static PromptBatch leftPadded(List<long[]> prompts, long padTokenId) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts (0) must contain at least one prompt");
        }
        return new PromptBatch(PaddedBatch.of(prompts, padTokenId, PaddedBatch.Side.LEFT));
    }

    /** The padded prompts. */
    public PaddedBatch padded() {
        return batch;
    }

    /** Batch size b. */
    public int batchSize() {
        return batch.batchSize();
    }

    /** Padded prompt length n. */
    public int length() {
        return batch.length();
    }

    /** Token ids (b, n), a copy. */
    public long[][] ids() {
        return batch.ids();
    }

    /** Number of left-padding positions of row {@code r}. */
    public int padding(int r) {
        return batch.padding(r);
    }
}
