package dev.perceiver.inference.decoding;

import java.util.Arrays;

/**
 * The token sequences of one generation as they grow: the prompts and the tokens chosen so far (b, n + steps), their
 * attention mask, which rows are finished (EOS seen), how many tokens each row generated, and optionally the raw
 * logits of every step.
 */
final class TokenBuffer {
    private final int promptLength;
    private final long[][] seq;
    private final boolean[][] mask;
    private final boolean[] finished;
    private final int[] numGenerated;
    private final float[][][] stepLogits;
    private final GenerationConfig config;
    private int length;

    /** @param keepStepLogits whether to keep the logits (b, steps, vocab_size) of every step */
    TokenBuffer(PromptBatch prompts, GenerationConfig config, boolean keepStepLogits) {
        int b = prompts.batchSize();
        int n = prompts.length();
        int maxTotal = n + config.maxNewTokens();
        this.config = config;
        promptLength = n;
        length = n;
        seq = new long[b][maxTotal];
        mask = new boolean[b][maxTotal];
        long[][] promptIds = prompts.ids();
        for (int r = 0; r < b; r++) {
            System.arraycopy(promptIds[r], 0, seq[r], 0, n);
            Arrays.fill(mask[r], prompts.padding(r), maxTotal, true); // true = real token
        }
        finished = new boolean[b];
        numGenerated = new int[b];
        stepLogits = keepStepLogits ? new float[b][config.maxNewTokens()][] : null;
    }

    /** Token ids (b, capacity); columns [0, length) are valid. */
    long[][] ids() {
        return seq;
    }

    /** Attention mask (b, capacity), false = left padding. */
    boolean[][] attentionMask() {
        return mask;
    }

    /** Number of valid columns: prompt plus generated tokens. */
    int length() {
        return length;
    }

    /**
     * Chooses the next token of every row from its logits (pad after a row's EOS), appends it and returns the
     * chosen tokens.
     */
    long[] append(int step, float[][] logits, TokenSelector selector) {
        long[] chosen = new long[seq.length];
        for (int r = 0; r < seq.length; r++) {
            if (stepLogits != null) {
                stepLogits[r][step] = logits[r];
            }
            long token = selector.select(logits[r]);
            if (finished[r]) {
                token = config.padTokenId();
            } else {
                numGenerated[r]++;
                if (config.eosTokenId() != null && token == config.eosTokenId()) {
                    finished[r] = true;
                }
            }
            chosen[r] = token;
            seq[r][length] = token;
        }
        length++;
        return chosen;
    }

    /** A copy of the finished flags. */
    boolean[] finished() {
        return finished.clone();
    }

    /** Whether every row has finished. */
    boolean allFinished() {
        for (boolean f : finished) {
            if (!f) {
                return false;
            }
        }
        return true;
    }

    /** The sequences (b, length), generated counts and, if kept, the step logits of the steps taken. */
    GenerationOutput output() {
        int steps = length - promptLength;
        long[][] sequences = new long[seq.length][];
        for (int r = 0; r < seq.length; r++) {
            sequences[r] = Arrays.copyOf(seq[r], length);
        }
        float[][][] logits = stepLogits;
        if (logits != null && steps < config.maxNewTokens()) {
            logits = new float[seq.length][][];
            for (int r = 0; r < seq.length; r++) {
                logits[r] = Arrays.copyOf(stepLogits[r], steps);
            }
        }
        return new GenerationOutput(sequences, promptLength, numGenerated.clone(), logits);
    }
}
