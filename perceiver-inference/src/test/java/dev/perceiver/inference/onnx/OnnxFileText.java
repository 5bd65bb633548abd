package dev.perceiver.inference.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts of a name in an exported ONNX file's bytes: op types and graph input/output names appear as plain strings
 * (node and value names are generated, never op names).
 */
final class OnnxFileText {
    private OnnxFileText() {}

    /** Occurrences of {@code name} in the file's bytes. */
    static int count(Path file, String name) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        int n = 0;
        for (int i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
            n++;
        }
        return n;
    }
}
