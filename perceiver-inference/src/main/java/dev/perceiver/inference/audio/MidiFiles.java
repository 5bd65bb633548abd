package dev.perceiver.inference.audio;

import dev.perceiver.model.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;

/** Reading and (atomically) writing Standard MIDI Files with {@code javax.sound.midi}. */
public final class MidiFiles {

    private MidiFiles() {}

    /**
     * Reads a Standard MIDI File.
     *
     * @param file path of a {@code .mid} file
     * @return the parsed sequence
     * @throws IOException if the file is missing, unreadable or not a valid MIDI file; the message
     *     names the file and the problem
     */
    public static Sequence read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IOException("MIDI file " + file + " does not exist or is not a regular file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return MidiSystem.getSequence(new java.io.BufferedInputStream(in));
        } catch (InvalidMidiDataException e) {
            throw new IOException("file " + file + " is not a valid Standard MIDI File: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("could not read MIDI file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a sequence as a Standard MIDI File (type 1 if it has several tracks, else type 0),
     * atomically: a temporary file in the same directory is renamed onto {@code file}.
     *
     * @param sequence the sequence to write
     * @param file the target path; parent directories are created
     * @throws IOException if the sequence cannot be written as a MIDI file or the write fails
     */
    public static void write(Sequence sequence, Path file) throws IOException {
        Objects.requireNonNull(sequence, "sequence");
        Objects.requireNonNull(file, "file");
        int type = fileType(sequence, file);
        AtomicFiles.write(file, out -> MidiSystem.write(sequence, type, out));
    }

    /** Writes without the atomic rename, for temporary files. */
    static void writeDirect(Sequence sequence, Path file) throws IOException {
        MidiSystem.write(sequence, fileType(sequence, file), file.toFile());
    }

    private static int fileType(Sequence sequence, Path file) throws IOException {
        int preferred = sequence.getTracks().length > 1 ? 1 : 0;
        for (int type : MidiSystem.getMidiFileTypes(sequence)) {
            if (type == preferred) {
                return type;
            }
        }
        int[] types = MidiSystem.getMidiFileTypes(sequence);
        if (types.length == 0) {
            throw new IOException("no MIDI file type can hold this sequence; cannot write " + file);
        }
        return types[0];
    }
}
