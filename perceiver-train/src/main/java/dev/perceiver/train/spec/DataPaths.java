package dev.perceiver.train.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks of the paths that data options name. */
final class DataPaths {
    private DataPaths() {}

    /** {@code dir} as a path; fails naming {@code option} unless it is a directory. */
    static Path existingDir(String dir, String option) throws IOException {
        Path p = Path.of(dir);
        if (!Files.isDirectory(p)) {
            throw new NoSuchFileException(dir, null, option + " is not a directory");
        }
        return p;
    }
}
