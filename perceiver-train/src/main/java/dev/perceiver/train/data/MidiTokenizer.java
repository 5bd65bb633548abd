package dev.perceiver.train.data;

import java.io.IOException;
import java.nio.file.Path;

/** Encodes a MIDI file into event token ids (the symbolic-audio vocabulary); implemented elsewhere. */
public interface MidiTokenizer {
    /**
     * Encodes one MIDI file.
     *
     * @return token ids, shape {@code (numEvents)}
     * @throws IOException if the file cannot be read or parsed
     */
    int[] encode(Path midiFile) throws IOException;
}
