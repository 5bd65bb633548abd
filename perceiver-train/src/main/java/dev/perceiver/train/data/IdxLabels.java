package dev.perceiver.train.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Reads IDX label files (magic {@code 0x00000801}, one unsigned byte per label), gzip or raw. */
public final class IdxLabels {
    private IdxLabels() {}

    /**
     * Reads all labels of a file.
     *
     * @return labels of shape {@code (count)}, each in {@code 0..255}
     * @throws IOException naming the file if it is unreadable, has a bad magic number or is truncated
     */
    public static int[] read(Path file) throws IOException {
        return toInts(IdxReader.readLabels(file));
    }

    /** Reads labels from a stream (gzip or raw); {@code name} appears in error messages. Does not close it. */
    public static int[] read(InputStream in, String name) throws IOException {
        return toInts(IdxReader.readLabels(in, name));
    }

    private static int[] toInts(byte[] raw) {
        int[] labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            labels[i] = raw[i] & 0xff;
        }
        return labels;
    }
}
