package dev.perceiver.model.io;

import dev.perceiver.model.limits.InputLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of a model folder, confined to it: a name may not climb out of the folder ({@code ../x}, an absolute path),
 * and a symbolic link inside the folder may only point into the folder itself or, for a Hugging Face Hub cache
 * snapshot ({@code <repo>/snapshots/<commit>}), into that repository's {@code blobs} folder. Whatever a folder's
 * files say, readers never open a file elsewhere, and errors never show the content of such a file.
 */
public final class FolderFiles {
    private FolderFiles() {}

    /**
     * The file {@code name} of folder {@code dir}, checked: when it exists, its real path (links resolved) lies in
     * the folder (or its Hub repository's blobs).
     *
     * @param name a file name or relative path inside the folder
     * @return {@code dir.resolve(name)} (not resolved, so messages show the name the user knows)
     * @throws IOException naming the file when it escapes the folder
     */
    public static Path confined(Path dir, String name) throws IOException {
        Path rel = Path.of(name);
        if (rel.isAbsolute() || rel.normalize().startsWith("..") || rel.getNameCount() == 0) {
            throw new IOException(dir + ": file name '" + name + "' points outside the model folder");
        }
        Path file = dir.resolve(rel);
        if (!Files.exists(file) && !Files.isSymbolicLink(file)) {
            return file;
        }
        if (!Files.exists(file)) {
            throw new IOException(file + ": is a dangling symbolic link");
        }
        Path real = file.toRealPath();
        Path root = dir.toRealPath();
        if (real.startsWith(root)) {
            return file;
        }
        Path blobs = hubBlobs(root);
        if (blobs != null && real.startsWith(blobs)) {
            return file;
        }
        throw new IOException(file + ": is a symbolic link to a file outside the model folder; refusing to read it"
                + " (copy the file into the folder instead)");
    }

    /**
     * Reads a small text file of a folder (config, tokenizer config) as UTF-8, confined ({@link #confined}) and at
     * most {@link InputLimits#MAX_CONFIG_BYTES} long.
     *
     * @throws IOException naming the file when it escapes the folder or is too large
     */
    public static String readConfigText(Path dir, String name) throws IOException {
        Path file = confined(dir, name);
        return readConfigText(file);
    }

    /**
     * Reads a small text file as UTF-8, at most {@link InputLimits#MAX_CONFIG_BYTES} long.
     *
     * @throws IOException naming the file when it is too large
     */
    public static String readConfigText(Path file) throws IOException {
        long size = Files.size(file);
        if (size > InputLimits.MAX_CONFIG_BYTES) {
            throw new IOException(file + ": " + size + " bytes exceed the limit of " + InputLimits.MAX_CONFIG_BYTES
                    + " bytes for a config file");
        }
        return Files.readString(file);
    }

    private static Path hubBlobs(Path root) throws IOException {
        Path snapshots = root.getParent();
        if (snapshots == null
                || snapshots.getFileName() == null
                || !snapshots.getFileName().toString().equals("snapshots")) {
            return null;
        }
        Path blobs = snapshots.resolveSibling("blobs");
        return Files.isDirectory(blobs) ? blobs.toRealPath() : null;
    }
}
