package dev.perceiver.train.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Raw unsigned-byte images read from an IDX file (magic {@code 0x00000803}), as used by MNIST and
 * Fashion-MNIST.
 *
 * <p>Pixels are stored row-major with shape {@code (count, rows, cols)}; each value is in {@code 0..255}.
 */
public final class IdxImages {
    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] pixels;

    /**
     * Wraps pixel data without copying.
     *
     * @param count number of images
     * @param rows image height
     * @param cols image width
     * @param pixels {@code count * rows * cols} unsigned bytes, row-major
     */
    public IdxImages(int count, int rows, int cols, byte[] pixels) {
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("invalid shape (" + count + ", " + rows + ", " + cols + ")");
        }
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(
                    "pixel array has " + pixels.length + " bytes, expected " + (long) count * rows * cols);
        }
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
    }

    /**
     * Reads an image file, gzip-compressed or raw (detected from the magic bytes {@code 1f 8b}).
     *
     * @throws IOException naming the file if it cannot be read or is not a valid IDX image file
     */
    public static IdxImages read(Path file) throws IOException {
        return IdxReader.readImages(file);
    }

    /**
     * Reads an image file from a stream (gzip or raw); {@code name} is used in error messages. The stream is
     * not closed.
     */
    public static IdxImages read(InputStream in, String name) throws IOException {
        return IdxReader.readImages(in, name);
    }

    /** Number of images. */
    public int count() {
        return count;
    }

    /** Image height in pixels. */
    public int rows() {
        return rows;
    }

    /** Image width in pixels. */
    public int cols() {
        return cols;
    }

    /** Pixel value in {@code 0..255} at row {@code r}, column {@code c} of image {@code i}. */
    public int pixel(int i, int r, int c) {
        return pixels[(i * rows + r) * cols + c] & 0xff;
    }

    /** Backing array of shape {@code (count, rows, cols)} (not a copy; do not modify). */
    public byte[] pixels() {
        return pixels;
    }

    /** The first {@code n} images as a new instance (shares nothing with this one). */
    public IdxImages head(int n) {
        if (n < 0 || n > count) {
            throw new IllegalArgumentException("n=" + n + " outside 0.." + count);
        }
        byte[] copy = java.util.Arrays.copyOf(pixels, n * rows * cols);
        return new IdxImages(n, rows, cols, copy);
    }
}
