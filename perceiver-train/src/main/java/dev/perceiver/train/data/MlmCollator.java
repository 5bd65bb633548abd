package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.PaddedBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Masks MLM examples dynamically (fresh masks every call) and pads them on the right to the longest example
 * of the batch.
 */
public final class MlmCollator {
    private final MlmMasker masker;
    private final long padId;

    /** Creates a collator using {@code masker} and padding with {@code padId}. */
    public MlmCollator(MlmMasker masker, long padId) {
        this.masker = masker;
        this.padId = padId;
    }

    /**
     * Masks and pads a batch.
     *
     * @return batch of shape {@code (examples.size(), maxLen)}; padding has label {@link LmBatch#IGNORE_LABEL}
     */
    public LmBatch collate(List<MlmExample> examples, Random random) {
        List<long[]> inputs = new ArrayList<>(examples.size());
        List<long[]> labels = new ArrayList<>(examples.size());
        for (MlmExample e : examples) {
            MaskedSequence m = masker.mask(e, random);
            inputs.add(m.input());
            labels.add(m.labels());
        }
        return new LmBatch(
                PaddedBatch.of(inputs, padId, PaddedBatch.Side.RIGHT),
                PaddedBatch.of(labels, LmBatch.IGNORE_LABEL, PaddedBatch.Side.RIGHT)
                        .ids());
    }
}
