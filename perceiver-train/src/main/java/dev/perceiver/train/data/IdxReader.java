package dev.perceiver.train.data;

import dev.perceiver.model.limits.InputLimits;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Parses IDX image and label files (gzip or raw). Package-private: use {@link IdxImages} and {@link IdxLabels}. */
final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {}

    static IdxImages readImages(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readImages(in, file.toString());
        }
    }

    static byte[] readLabels(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readLabels(in, file.toString());
        }
    }

    static IdxImages readImages(InputStream raw, String name) throws IOException {
        try {
            DataInputStream in = open(raw, name);
            int magic = readHeaderInt(in, name, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new IOException(name + ": bad magic number " + hex(magic) + ", expected " + hex(IMAGES_MAGIC)
                        + " (IDX unsigned-byte images)");
            }
            int count = readHeaderInt(in, name, "image count");
            int rows = readHeaderInt(in, name, "row count");
            int cols = readHeaderInt(in, name, "column count");
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new IOException(name + ": invalid image shape (" + count + ", " + rows + ", " + cols + ")");
            }
            long size = (long) count * rows * cols;
            if (size > InputLimits.MAX_IDX_BYTES) {
                throw new IOException(name + ": image data of " + count + " x " + rows + " x " + cols + " = " + size
                        + " bytes exceeds the limit of " + InputLimits.MAX_IDX_BYTES + " bytes");
            }
            byte[] pixels = readBody(in, (int) size, name, "pixel");
            return new IdxImages(count, rows, cols, pixels);
        } catch (IOException e) {
            throw named(e, name);
        }
    }

    static byte[] readLabels(InputStream raw, String name) throws IOException {
        try {
            DataInputStream in = open(raw, name);
            int magic = readHeaderInt(in, name, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new IOException(name + ": bad magic number " + hex(magic) + ", expected " + hex(LABELS_MAGIC)
                        + " (IDX unsigned-byte labels)");
            }
            int count = readHeaderInt(in, name, "label count");
            if (count < 0) {
                throw new IOException(name + ": invalid label count " + count);
            }
            return readBody(in, count, name, "label");
        } catch (IOException e) {
            throw named(e, name);
        }
    }

    private static DataInputStream open(InputStream raw, String name) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new DataInputStream(new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16));
        }
        return new DataInputStream(buffered);
    }

    private static int readHeaderInt(DataInputStream in, String name, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IOException(name + ": truncated header (missing " + what + ")", e);
        }
    }

    /**
     * Reads the declared number of bytes; the buffer grows with the data actually present, so a header declaring
     * more than the file holds allocates no more than the file's size.
     */
    private static byte[] readBody(DataInputStream in, int size, String name, String what) throws IOException {
        byte[] data = in.readNBytes(size);
        int read = data.length;
        if (read < size) {
            throw new IOException(name + ": truncated " + what + " data: expected " + size + " bytes, found " + read);
        }
        if (in.read() != -1) {
            throw new IOException(name + ": unexpected trailing data after " + size + " bytes of " + what + " data");
        }
        return data;
    }

    /** Ensures the message names the file (gzip errors from the JDK do not). */
    private static IOException named(IOException e, String name) {
        String msg = e.getMessage();
        if (msg != null && msg.startsWith(name + ":")) {
            return e;
        }
        return new IOException(name + ": " + (msg == null ? e.getClass().getSimpleName() : msg), e);
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
