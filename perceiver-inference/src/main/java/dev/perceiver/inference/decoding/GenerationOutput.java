package dev.perceiver.inference.decoding;

import java.util.Arrays;

/**
 * Result of a generation call.
 *
 * @param sequences (b, n + steps): the left-padded prompts followed by the generated tokens; a sequence that
 *        finished at EOS continues with pad tokens
 * @param promptLength n, the padded prompt length
 * @param numGenerated per row, the tokens generated up to and including its EOS (pads after it not counted)
 * @param stepLogits (b, steps, vocab_size) raw logits that chose each generated token, or null when not requested
 */
public record GenerationOutput(long[][] sequences, int promptLength, int[] numGenerated, float[][][] stepLogits) {

    /** Number of generation steps taken (the same for every row). */
    public int steps() {
        return sequences[0].length - promptLength;
    }

    /** The generated tokens of row {@code r}, up to and including its EOS. */
    public long[] generated(int r) {
        return Arrays.copyOfRange(sequences[r], promptLength, promptLength + numGenerated[r]);
    }
}
