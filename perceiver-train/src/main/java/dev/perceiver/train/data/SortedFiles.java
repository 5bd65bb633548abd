package dev.perceiver.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Lists files below a folder in a platform-independent, deterministic order. */
final class SortedFiles {
    private SortedFiles() {}

    /**
     * Regular files below {@code dir} (recursively) whose lower-cased names end with one of {@code suffixes},
     * sorted by their path relative to {@code dir} written with {@code /} separators.
     *
     * @throws IOException if {@code dir} is not a folder or cannot be walked
     */
    static List<Path> list(Path dir, String... suffixes) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory");
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> hasSuffix(p, suffixes))
                    .sorted(Comparator.comparing(
                            p -> dir.relativize(p).toString().replace('\\', '/')))
                    .toList();
        }
    }

    private static boolean hasSuffix(Path p, String[] suffixes) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String s : suffixes) {
            if (name.endsWith(s)) {
                return true;
            }
        }
        return false;
    }
}
