package dev.perceiver.inference.audio;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fuzz target of MIDI prompts: reading and encoding any file either works or fails with a message. */
class MidiFuzzTest {
    /** How long {@code -Pfuzz} fuzzes each target (Jazzer takes it from the annotation only). */
    static final String FUZZ_TIME = "1m";

    private static Path file;

    @FuzzTest(maxDuration = FUZZ_TIME)
    void midi(byte[] content) {
        try {
            if (file == null) {
                file = Files.createTempFile("midi-fuzz", ".mid");
                file.toFile().deleteOnExit();
            }
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            MidiEventCodec.encode(file);
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }
}
