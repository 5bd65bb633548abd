package dev.perceiver.inference.vision;

import java.util.Arrays;

/**
 * An 8-bit image in memory: values 0..255, channels last, row-major {@code (height, width, channels)}, the layout of
 * {@code numpy.array(pil_image)}. Channels are 1 (grayscale) or 3 (RGB).
 *
 * @param height rows, > 0
 * @param width columns, > 0
 * @param channels 1 or 3
 * @param data {@code height * width * channels} values in 0..255
 */
public record Pixels(int height, int width, int channels, int[] data) {

    /** Validates the shape and value range. */
    public Pixels {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size " + height + "x" + width + " (height x width) must be > 0");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("image channels (" + channels + ") must be 1 or 3");
        }
        if (data.length != (long) height * width * channels) {
            throw new IllegalArgumentException("pixel data length (" + data.length + ") must be height * width * "
                    + "channels = " + (long) height * width * channels);
        }
        for (int v : data) {
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("pixel value (" + v + ") must be in [0, 255]");
            }
        }
    }

    /** The value at row {@code y}, column {@code x}, channel {@code c}. */
    public int get(int y, int x, int c) {
        return data[(y * width + x) * channels + c];
    }

    /** The rectangle of {@code h} rows from {@code top} and {@code w} columns from {@code left}. */
    public Pixels crop(int top, int left, int h, int w) {
        if (top < 0 || left < 0 || h <= 0 || w <= 0 || top + h > height || left + w > width) {
            throw new IllegalArgumentException("crop (top " + top + ", left " + left + ", " + h + "x" + w
                    + ") must lie inside the image of " + height + "x" + width);
        }
        int[] out = new int[h * w * channels];
        for (int y = 0; y < h; y++) {
            System.arraycopy(data, ((top + y) * width + left) * channels, out, y * w * channels, w * channels);
        }
        return new Pixels(h, w, channels, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pixels p
                && p.height == height
                && p.width == width
                && p.channels == channels
                && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * height + width) + channels) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Pixels[" + height + "x" + width + "x" + channels + "]";
    }
}
