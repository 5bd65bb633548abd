package dev.perceiver.inference.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts one file of a repository commit into the {@link HubCache}: its content goes to {@code blobs/ETAG.incomplete},
 * continued with a {@code Range} request after a dropped connection (here, or in an earlier process), checked
 * against the announced size and, for LFS files whose ETag is a sha256, against that hash, then renamed to {@code
 * blobs/ETAG} and linked from {@code snapshots/COMMIT/FILE}. A blob being downloaded is locked, so two processes (or
 * threads) do not write it at once; a blob already there is not downloaded again.
 */
final class HubDownloader {
    /** Threads of this process downloading the same blob wait for each other here. */
    private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");

    private final HubClient client;
    private final HubCache cache;
    private final PrintStream progress;
    private final boolean terminal;
    private final int attempts;
    private final Duration backoff;

    /**
     * @param progress where download progress goes, or null for none
     * @param terminal whether {@code progress} is a terminal (bar redrawn in place)
     * @param attempts tries per file, >= 1; each after the first resumes where the last one stopped
     * @param backoff wait before the second try, doubled for each further one
     */
    HubDownloader(
            HubClient client, HubCache cache, PrintStream progress, boolean terminal, int attempts, Duration backoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.progress = progress;
        this.terminal = terminal;
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts (" + attempts + ") must be >= 1");
        }
        this.attempts = attempts;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /**
     * Makes {@code snapshots/COMMIT/FILE} exist, downloading its content unless the cache has it.
     *
     * @param file a file name of the repository (letters, digits, {@code . _ -}, {@code /} between folders)
     * @return the file in the snapshot folder
     * @throws HubException if the server refuses the file or its content fails the checks
     * @throws IOException if the cache cannot be written or the download fails on every try
     */
    Path download(HubModelId id, String commit, String file) throws IOException {
        if (!HubModelId.isSafePath(file)) {
            throw new HubException(id + ": file name '" + file + "' is not a safe relative path", 0);
        }
        Path pointer = cache.snapshotDir(id, commit).resolve(file);
        if (Files.isRegularFile(pointer)) {
            return pointer;
        }
        HubClient.FileMeta meta = client.fileMeta(id, commit, file);
        Path blob = cache.blob(id, meta.etag());
        if (!Files.isRegularFile(blob)) {
            Path lockFile = cache.lock(id, meta.etag());
            Files.createDirectories(lockFile.getParent());
            ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(lockFile, k -> new ReentrantLock());
            inProcess.lock(); // a file lock excludes other processes only
            try (FileChannel lockChannel =
                            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = lockChannel.lock()) {
                if (!Files.isRegularFile(blob)) {
                    fetch(id, file, meta, blob);
                }
            } finally {
                inProcess.unlock();
            }
        }
        cache.link(pointer, blob);
        return pointer;
    }

    /** Downloads, checks and renames one blob; resumes after a failure up to {@code attempts} times. */
    private void fetch(HubModelId id, String file, HubClient.FileMeta meta, Path blob) throws IOException {
        Files.createDirectories(blob.getParent());
        Path part = cache.incomplete(id, meta.etag());
        DownloadProgress p = new DownloadProgress(progress, terminal, id + " " + file, meta.size());
        for (int attempt = 1; ; attempt++) {
            try {
                transfer(id, file, meta, part, p);
                break;
            } catch (HubException e) {
                if (e.status() >= 400 && e.status() < 500 || attempt >= attempts) {
                    throw e;
                }
                p.resuming(size(part), e);
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (attempt >= attempts) {
                    throw new HubException(
                            id + ": download of " + file + " from "
                                    + meta.location().getHost() + " failed after "
                                    + attempts + " tries, " + DownloadProgress.bytes(size(part)) + " kept in " + part
                                    + " for the next run (" + DownloadProgress.describe(e) + ")",
                            0,
                            e);
                }
                p.resuming(size(part), e);
            }
            sleep(backoff.multipliedBy(1L << Math.min(attempt - 1, 6)));
        }
        p.finish();
        verify(id, file, meta, part);
        try {
            Files.move(part, blob, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One request: appends to {@code part} from its current size (or rewrites it if the server sends it all). */
    private void transfer(HubModelId id, String file, HubClient.FileMeta meta, Path part, DownloadProgress p)
            throws IOException {
        long have = size(part);
        if (meta.size() >= 0 && have > meta.size()) {
            Files.delete(part);
            have = 0;
        }
        if (meta.size() >= 0 && have == meta.size() && have > 0) {
            return; // complete: an earlier run stopped before the rename
        }
        HttpResponse<InputStream> r = client.open(id, file, meta.location(), have);
        try (InputStream in = r.body();
                FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long start = 0;
            if (r.statusCode() == 416) {
                out.truncate(0);
                throw new IOException("server refused the range bytes=" + have + "-");
            } else if (r.statusCode() == 206) {
                start = rangeStart(r.headers().firstValue("Content-Range").orElse(""));
                if (start != have) {
                    out.truncate(0);
                    throw new IOException("server sent bytes from " + start + " where " + have + " were asked for");
                }
            } else {
                out.truncate(0);
            }
            out.position(start);
            p.startAt(start);
            byte[] buf = new byte[1 << 16];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            for (int n; (n = in.read(buf)) > 0; ) {
                bb.clear().limit(n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                p.add(n);
            }
            long end = out.position();
            if (meta.size() >= 0 && end != meta.size()) {
                throw new IOException("connection closed after " + end + " of " + meta.size() + " bytes");
            }
        }
    }

    /** Size and, for a sha256 ETag, the hash of the finished file; a file that fails is deleted. */
    private static void verify(HubModelId id, String file, HubClient.FileMeta meta, Path part) throws IOException {
        long actual = Files.size(part);
        if (meta.size() >= 0 && actual != meta.size()) {
            Files.delete(part);
            throw new HubException(
                    id + ": " + file + " arrived with " + actual + " bytes, the server announced " + meta.size(), 0);
        }
        if (SHA256.matcher(meta.etag()).matches()) {
            String hash = sha256(part);
            if (!hash.equals(meta.etag())) {
                Files.delete(part);
                throw new HubException(
                        id + ": " + file + " is corrupt: its sha256 is " + hash + ", its ETag says " + meta.etag(), 0);
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static long rangeStart(String contentRange) throws IOException {
        Matcher m = CONTENT_RANGE.matcher(contentRange.strip());
        if (!m.matches()) {
            throw new IOException("206 response with Content-Range '" + contentRange + "'");
        }
        return Long.parseLong(m.group(1));
    }

    private static long size(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
        }
    }
}
