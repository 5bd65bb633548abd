package dev.perceiver.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Random access to the bytes of a checkpoint: a byte array, a memory-mapped file ({@link #open}: a region is a view
 * of the mapping, whose pages stay resident once touched) or a file read on demand ({@link #channel}: a region is a
 * heap copy, and {@link #read} copies straight from the file into the caller's buffer, so the file's pages stay in
 * the page cache and out of the resident set). Callers check every offset and length against {@link #size()} first.
 */
abstract class ByteSource implements AutoCloseable {

    /** Largest region handed out as one buffer. */
    static final long MAX_REGION = Integer.MAX_VALUE - 8;

    /** The total size in bytes. */
    abstract long size();

    /**
     * Returns the bytes {@code [offset, offset + length)} as a read-only buffer of position 0 and limit {@code length}.
     * For a file this is a memory mapping that stays valid after {@link #close()}.
     */
    abstract ByteBuffer region(long offset, long length) throws IOException;

    /**
     * Copies the bytes {@code [offset, offset + dst.remaining())} into {@code dst}, whose position ends at its limit.
     */
    void read(long offset, ByteBuffer dst) throws IOException {
        dst.put(region(offset, dst.remaining()));
    }

    /**
     * The bytes {@code [offset, offset + length)} as a source of their own, valid as long as a region of this one
     * would be: a view for an array or a mapped file, a window onto the file for {@link #channel}.
     */
    ByteSource slice(long offset, long length) throws IOException {
        return of(region(offset, length));
    }

    @Override
    public abstract void close() throws IOException;

    /** A byte array; regions are views of it. */
    static ByteSource of(byte[] bytes) {
        return of(ByteBuffer.wrap(bytes));
    }

    /** A buffer's bytes from position 0 to its capacity; regions are views of it. */
    private static ByteSource of(ByteBuffer buffer) {
        ByteBuffer bytes = buffer.duplicate().clear();
        return new ByteSource() {
            @Override
            long size() {
                return bytes.capacity();
            }

            @Override
            ByteBuffer region(long offset, long length) {
                check(offset, length, bytes.capacity());
                return bytes.slice((int) offset, (int) length).asReadOnlyBuffer();
            }

            @Override
            public void close() {}
        };
    }

    /**
     * A file opened for reading. Files of up to 2 GiB are mapped once and regions are views of that mapping; larger
     * files map each region on its own.
     */
    static ByteSource open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            ByteBuffer whole = size <= MAX_REGION ? channel.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
            return new ByteSource() {
                @Override
                long size() {
                    return size;
                }

                @Override
                ByteBuffer region(long offset, long length) throws IOException {
                    check(offset, length, size);
                    if (whole != null) {
                        return whole.slice((int) offset, (int) length).asReadOnlyBuffer();
                    }
                    return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                }
            };
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A file opened for reading on demand: nothing is mapped; {@link #region} returns a heap copy (for headers, the
     * zip directory and the pickle) and {@link #read} reads from the file into the caller's buffer. Open until
     * {@link #close()}.
     */
    static ByteSource channel(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return window(path.toString(), channel, 0, channel.size());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The bytes {@code [start, start + size)} of an open channel; closing it closes the channel. */
    private static ByteSource window(String source, FileChannel channel, long start, long size) {
        return new ByteSource() {
            @Override
            long size() {
                return size;
            }

            @Override
            ByteBuffer region(long offset, long length) throws IOException {
                check(offset, length, size);
                ByteBuffer b = ByteBuffer.allocate((int) length);
                read(offset, b);
                return b.flip().asReadOnlyBuffer();
            }

            @Override
            void read(long offset, ByteBuffer dst) throws IOException {
                if (offset < 0 || offset > size - dst.remaining()) {
                    throw new IndexOutOfBoundsException(
                            "bytes [" + offset + ", +" + dst.remaining() + ") outside [0, " + size + ")");
                }
                long at = start + offset;
                while (dst.hasRemaining()) {
                    int n = channel.read(dst, at);
                    if (n < 0) {
                        throw new IOException(source + ": file ended at byte " + at + " (was it truncated?)");
                    }
                    at += n;
                }
            }

            @Override
            ByteSource slice(long offset, long length) {
                check(offset, length, size);
                return window(source, channel, start + offset, length);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    private static void check(long offset, long length, long size) {
        if (offset < 0 || length < 0 || length > MAX_REGION || offset > size - length) {
            throw new IllegalStateException(
                    "region [" + offset + ", +" + length + ") outside [0, " + size + ") (callers check bounds)");
        }
    }
}
