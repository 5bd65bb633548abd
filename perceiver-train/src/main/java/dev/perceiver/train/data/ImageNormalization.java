package dev.perceiver.train.data;

/**
 * Pixel normalisation of the reference MNIST data module: scale to {@code [0, 1]} (divide by 255), then
 * subtract {@link #MEAN} and divide by {@link #STD}. With mean = std = 0.5 the result lies in {@code [-1, 1]}.
 */
public final class ImageNormalization {
    /** Per-channel mean subtracted after scaling to {@code [0, 1]}. */
    public static final float MEAN = 0.5f;
    /** Per-channel standard deviation divided by after subtracting the mean. */
    public static final float STD = 0.5f;

    private static final float[] TABLE = new float[256];

    static {
        for (int p = 0; p < 256; p++) {
            TABLE[p] = (p / 255f - MEAN) / STD;
        }
    }

    private ImageNormalization() {}

    /** Normalised value of an unsigned 8-bit pixel {@code p} in {@code 0..255}. */
    public static float normalize(int p) {
        return TABLE[p];
    }

    /** Normalised value of a pixel stored as a (signed) Java byte holding an unsigned value. */
    public static float normalize(byte p) {
        return TABLE[p & 0xff];
    }
}
