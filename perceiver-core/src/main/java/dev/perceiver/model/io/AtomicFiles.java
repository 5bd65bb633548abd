package dev.perceiver.model.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files atomically: readers of the target see either the complete old content or the
 * complete new content, never a partial file, and a failed write leaves the old file untouched.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** Produces the content of a file by writing it to the given stream. */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the content. The stream is buffered; closing it is allowed but not required.
         *
         * @param out the stream to write to
         * @throws IOException if writing fails; the target is then left unchanged
         */
        void write(OutputStream out) throws IOException;
    }

    /** Produces the content of a file by writing it to the given channel, from its current position. */
    @FunctionalInterface
    public interface ChannelWriter {
        /**
         * Writes the content (e.g. direct buffers straight from native memory, with no copy on the Java heap).
         *
         * @param channel the channel to write to; not to be closed
         * @throws IOException if writing fails; the target is then left unchanged
         */
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Writes to a temporary file in the same directory as {@code target}, flushes and fsyncs it,
     * then renames it over the target ({@code ATOMIC_MOVE}, falling back to {@code
     * REPLACE_EXISTING} where atomic moves are not supported). Missing parent directories are
     * created. If the writer or any later step fails, the temporary file is deleted and the target is
     * left as it was.
     *
     * @param target the file to create or replace
     * @param writer produces the content
     * @throws IOException if the writer throws or the file cannot be written or renamed
     */
    public static void write(Path target, Writer writer) throws IOException {
        Objects.requireNonNull(writer, "writer");
        writeChannel(target, channel -> {
            OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            writer.write(new NonClosingOutputStream(buffered));
            buffered.flush();
        });
    }

    /**
     * As {@link #write(Path, Writer)}, the content written to the temporary file's channel.
     *
     * @param target the file to create or replace
     * @param writer produces the content
     * @throws IOException if the writer throws or the file cannot be written or renamed
     */
    public static void writeChannel(Path target, ChannelWriter writer) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(writer, "writer");
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || absolute.getFileName() == null) {
            throw new IOException(target + ": not a file path");
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + ": is a directory; give a file path");
        }
        Files.createDirectories(dir);
        Path tmp = createTempFile(dir, absolute.getFileName().toString());
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writer.write(channel);
                channel.force(true);
            }
            move(tmp, absolute);
            done = true;
        } catch (IOException e) {
            throw withPath(target, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException e) {
                    // best effort; the original failure is what matters
                }
            }
        }
        syncDirectory(dir);
    }

    /**
     * Atomically writes {@code text} encoded as UTF-8.
     *
     * @param target the file to create or replace
     * @param text the content
     * @throws IOException if the file cannot be written
     */
    public static void writeString(Path target, String text) throws IOException {
        Objects.requireNonNull(text, "text");
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Atomically writes {@code bytes}.
     *
     * @param target the file to create or replace
     * @param bytes the content
     * @throws IOException if the file cannot be written
     */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(target, out -> out.write(bytes));
    }

    /**
     * Deletes the temporary files that writes into {@code dir} interrupted by a crash left behind (names {@code
     * .NAME.HEX.tmp}); not recursive. Call it where no write into {@code dir} is in progress.
     *
     * @param dir the folder
     * @return the number of files deleted
     * @throws IOException if the folder cannot be listed or a file cannot be deleted
     */
    public static int deleteTempFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.matches("\\..+\\.[0-9a-f]{1,16}\\.tmp") && Files.isRegularFile(p)) {
                    Files.delete(p);
                    n++;
                }
            }
        }
        return n;
    }

    /** The exception with {@code target} in its message (a full disk says only "No space left on device"). */
    private static IOException withPath(Path target, IOException e) {
        String msg = e.getMessage();
        if (msg != null && msg.contains(target.toString()) && !msg.contains(".tmp")) {
            return e;
        }
        String reason = e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                ? fse.getReason()
                : msg != null ? msg : e.getClass().getSimpleName();
        return new IOException("could not write " + target + ": " + reason, e);
    }

    private static Path createTempFile(Path dir, String name) throws IOException {
        // Files.createTempFile would create the file with mode 0600 on POSIX, which the rename would
        // then give to the target; CREATE_NEW uses the normal default permissions instead.
        String base = name.length() > 100 ? name.substring(0, 100) : name;
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + base + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                        .close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename durable where the platform allows fsync on a directory (not on Windows). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // not supported on this platform or file system; the rename itself has happened
        }
    }

    /** Lets the writer close "its" stream without closing ours before the flush and fsync. */
    private static final class NonClosingOutputStream extends FilterOutputStream {
        private boolean closed;

        NonClosingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            out.write(b, off, len);
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            out.write(b);
        }

        @Override
        public void flush() throws IOException {
            ensureOpen();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                out.flush();
            }
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
        }
    }
}
