package dev.perceiver.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a fuzz target hands to a reader that takes a path: one temporary folder per target class, made on first
 * use, whose files (and then the folder) are deleted when the JVM exits.
 */
public final class FuzzFiles {
    private final String prefix;
    private Path dir;

    /** @param prefix the temporary folder's name prefix, e.g. {@code "image-fuzz"} */
    public FuzzFiles(String prefix) {
        this.prefix = prefix;
    }

    /** Writes {@code content} to the file {@code name} in the folder (replacing it) and returns its path. */
    public synchronized Path write(String name, byte[] content) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory(prefix);
                dir.toFile().deleteOnExit(); // after its files, which are registered later
            }
            Path p = Files.write(dir.resolve(name), content);
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
