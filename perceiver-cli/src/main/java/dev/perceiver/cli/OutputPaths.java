package dev.perceiver.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks of a command's output files before any work: none may be an input (writing it would destroy the input),
 * two outputs may not be one file, and none may be a directory. Errors name the options.
 */
final class OutputPaths {
    private OutputPaths() {}

    /**
     * @param inputs option name to input file
     * @param outputs option name to output file (null values: not given)
     * @throws IllegalArgumentException naming both options when an output is an input or another output
     */
    static void check(Map<String, Path> inputs, Map<String, Path> outputs) throws IOException {
        Map<String, Path> seen = new LinkedHashMap<>(inputs);
        for (Map.Entry<String, Path> out : outputs.entrySet()) {
            Path o = out.getValue();
            if (o == null) {
                continue;
            }
            if (Files.isDirectory(o)) {
                throw new IllegalArgumentException(out.getKey() + " (" + o + ") is a directory; give a file path");
            }
            for (Map.Entry<String, Path> other : seen.entrySet()) {
                if (other.getValue() != null && same(o, other.getValue())) {
                    throw new IllegalArgumentException(out.getKey() + " (" + o + ") is the same file as "
                            + other.getKey() + "; writing it would overwrite "
                            + (inputs.containsKey(other.getKey()) ? "the input" : "the other output"));
                }
            }
            seen.put(out.getKey(), o);
        }
    }

    private static boolean same(Path a, Path b) throws IOException {
        if (Files.exists(a) && Files.exists(b)) {
            return Files.isSameFile(a, b);
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
