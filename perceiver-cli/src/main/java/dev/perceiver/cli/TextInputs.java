package dev.perceiver.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Text inputs of a command: each {@code -} stands for the lines of standard input (blank lines skipped), read once.
 * ({@code @FILE} for the lines of a file is expanded by the command line parser before this.)
 */
final class TextInputs {
    private TextInputs() {}

    /** The texts with every {@code -} replaced by the non-blank lines of standard input (UTF-8). */
    static List<String> expand(List<String> texts) throws IOException {
        if (!texts.contains("-")) {
            return texts;
        }
        List<String> stdin = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (!line.isBlank()) {
                stdin.add(line);
            }
        }
        List<String> out = new ArrayList<>();
        for (String t : texts) {
            if (t.equals("-")) {
                out.addAll(stdin);
                stdin = List.of();
            } else {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("standard input (-) has no text lines");
        }
        return out;
    }
}
