package dev.perceiver.inference.audio;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * What {@link SymbolicAudioPipeline#generate} produced.
 *
 * @param promptFileTokens number of tokens the prompt file encodes to, before truncation
 * @param promptTokens the prompt tokens the model was given (the first max_prompt_length of the file's)
 * @param generatedTokens the continuation
 * @param numLatents the initial number of latent positions used
 * @param seed the seed of the sampling random numbers (also reported for greedy generation, where it is unused)
 * @param includesPrompt whether the MIDI output holds the prompt followed by the continuation (else the continuation
 *        only)
 * @param numNotes number of notes in the MIDI output
 * @param durationSeconds time of the last event of the MIDI output, in seconds
 * @param midiFile the MIDI file written
 * @param wavFile the WAV file written, or null when none was requested
 * @param wavSeconds length of the WAV audio in seconds, or null when none was written
 */
public record SymbolicAudioResult(
        int promptFileTokens,
        int[] promptTokens,
        int[] generatedTokens,
        int numLatents,
        long seed,
        boolean includesPrompt,
        int numNotes,
        double durationSeconds,
        Path midiFile,
        Path wavFile,
        Double wavSeconds) {

    /** Copies the token arrays. */
    public SymbolicAudioResult {
        promptTokens = promptTokens.clone();
        generatedTokens = generatedTokens.clone();
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    @Override
    public int[] generatedTokens() {
        return generatedTokens.clone();
    }

    /** The tokens written to the MIDI output: prompt and continuation, or the continuation only. */
    public int[] outputTokens() {
        if (!includesPrompt) {
            return generatedTokens.clone();
        }
        int[] out = Arrays.copyOf(promptTokens, promptTokens.length + generatedTokens.length);
        System.arraycopy(generatedTokens, 0, out, promptTokens.length, generatedTokens.length);
        return out;
    }
}
