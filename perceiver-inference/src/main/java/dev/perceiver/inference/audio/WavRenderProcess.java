package dev.perceiver.inference.audio;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of the helper JVM started by {@link WavRenderer} when offline rendering is not
 * accessible in the calling JVM. Arguments: MIDI file, WAV file, sample rate, channels, tail
 * seconds, soundbank path or "-". Exits with 0 on success, 1 on failure (message on stderr).
 */
final class WavRenderProcess {

    private WavRenderProcess() {}

    public static void main(String[] args) {
        try {
            if (args.length != 6) {
                throw new IllegalArgumentException("expected 6 arguments, got " + args.length);
            }
            Path soundbank = "-".equals(args[5]) ? null : Path.of(args[5]);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[1])))) {
                WavRenderer.renderInProcess(
                        MidiFiles.read(Path.of(args[0])),
                        out,
                        Float.parseFloat(args[2]),
                        Integer.parseInt(args[3]),
                        Double.parseDouble(args[4]),
                        soundbank);
            }
        } catch (Exception e) {
            System.err.println(e);
            System.exit(1);
        }
        System.exit(0);
    }
}
