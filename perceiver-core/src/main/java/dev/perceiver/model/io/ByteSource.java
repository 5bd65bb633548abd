package dev.perceiver.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Random access to the bytes of a checkpoint: a file (memory-mapped, so reading a region touches only its pages and
 * holds no heap copy) or a byte array. Callers check every offset and length against {@link #size()} first.
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

    @Override
    public abstract void close() throws IOException;

    /** A byte array; regions are views of it. */
    static ByteSource of(byte[] bytes) {
        return new ByteSource() {
            @Override
            long size() {
                return bytes.length;
            }

            @Override
            ByteBuffer region(long offset, long length) {
                check(offset, length, bytes.length);
                return ByteBuffer.wrap(bytes, (int) offset, (int) length)
                        .slice()
                        .asReadOnlyBuffer();
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

    private static void check(long offset, long length, long size) {
        if (offset < 0 || length < 0 || length > MAX_REGION || offset > size - length) {
            throw new IllegalStateException(
                    "region [" + offset + ", +" + length + ") outside [0, " + size + ") (callers check bounds)");
        }
    }
}
