package dev.perceiver.train.data;

/**
 * A sequence after masking.
 *
 * @param input token ids fed to the model, shape {@code (n)}
 * @param labels original ids at selected positions and {@link LmBatch#IGNORE_LABEL} elsewhere, shape {@code (n)}
 */
public record MaskedSequence(long[] input, long[] labels) {}
