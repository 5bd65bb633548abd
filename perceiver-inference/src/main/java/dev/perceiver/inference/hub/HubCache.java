package dev.perceiver.inference.hub;

import dev.perceiver.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Hugging Face hub cache on disk, in the layout {@code huggingface_hub} (and {@code huggingface-cli download})
 * writes, so that both share downloads:
 *
 * <pre>
 * ROOT/models--OWNER--NAME/refs/REVISION          the commit hash a branch or tag pointed to
 * ROOT/models--OWNER--NAME/blobs/ETAG             file contents, named by their ETag (sha256 for LFS files)
 * ROOT/models--OWNER--NAME/snapshots/COMMIT/FILE  the files of a commit: relative symlinks into blobs (or copies)
 * ROOT/.locks/models--OWNER--NAME/ETAG.lock       held while a blob is downloaded
 * </pre>
 */
public final class HubCache {
    private final Path root;

    /** @param root the cache folder ({@link HubSettings#cacheDir()}); need not exist yet */
    public HubCache(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
    }

    /** The cache folder. */
    public Path root() {
        return root;
    }

    /** {@code ROOT/models--OWNER--NAME}. */
    public Path repoDir(HubModelId id) {
        return root.resolve(id.cacheFolderName());
    }

    /**
     * The snapshot folder of an id's revision if the cache holds it: a commit hash names its folder directly, a
     * branch or tag through {@code refs/REVISION}.
     *
     * @return the folder, or empty if the ref or the snapshot folder is missing
     * @throws IOException if the ref exists but cannot be read or holds no valid commit
     */
    public Optional<Path> snapshot(HubModelId id) throws IOException {
        String commit = id.revision();
        if (!id.pinned()) {
            Path ref = repoDir(id).resolve("refs").resolve(id.revision());
            if (!Files.isRegularFile(ref)) {
                return Optional.empty();
            }
            commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            if (!HubModelId.isSafePath(commit) || commit.contains("/")) {
                throw new IOException(ref + ": ref of " + id + " holds '" + commit + "', not a commit hash");
            }
        }
        Path dir = snapshotDir(id, commit);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** {@code ROOT/models--OWNER--NAME/snapshots/COMMIT}. */
    public Path snapshotDir(HubModelId id, String commit) {
        return repoDir(id).resolve("snapshots").resolve(requireSegment(commit, "commit"));
    }

    /** {@code ROOT/models--OWNER--NAME/blobs/ETAG}. */
    public Path blob(HubModelId id, String etag) {
        return repoDir(id).resolve("blobs").resolve(requireSegment(etag, "ETag"));
    }

    /** Where a blob grows while it is downloaded: {@code blobs/ETAG.incomplete}. */
    public Path incomplete(HubModelId id, String etag) {
        Path blob = blob(id, etag);
        return blob.resolveSibling(blob.getFileName() + ".incomplete");
    }

    /** {@code ROOT/.locks/models--OWNER--NAME/ETAG.lock}. */
    public Path lock(HubModelId id, String etag) {
        return root.resolve(".locks").resolve(id.cacheFolderName()).resolve(requireSegment(etag, "ETag") + ".lock");
    }

    /** Writes {@code refs/REVISION} (atomically) so that the revision finds the commit's snapshot offline. */
    public void writeRef(HubModelId id, String commit) throws IOException {
        requireSegment(commit, "commit");
        AtomicFiles.writeString(repoDir(id).resolve("refs").resolve(id.revision()), commit);
    }

    /**
     * Makes {@code pointer} (a file of a snapshot) refer to {@code blob}: a relative symlink, or a copy where the file
     * system refuses symlinks. Replaces the pointer atomically; readers never see it half made.
     */
    public void link(Path pointer, Path blob) throws IOException {
        Path dir = pointer.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + pointer.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        try {
            try {
                Files.createSymbolicLink(tmp, dir.relativize(blob.toAbsolutePath()));
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(tmp, pointer, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, pointer, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A single path segment from the network must not climb out of the cache. */
    static String requireSegment(String value, String what) {
        if (value == null || !HubModelId.isSafePath(value) || value.contains("/")) {
            throw new IllegalArgumentException(
                    what + " '" + value + "' is not a valid file name (letters, digits, '.', '_', '-')");
        }
        return value;
    }
}
