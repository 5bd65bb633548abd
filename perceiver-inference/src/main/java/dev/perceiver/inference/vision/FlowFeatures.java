package dev.perceiver.inference.vision;

/**
 * Input features of the optical flow model, as the reference's optical flow processor makes them: each RGB frame is
 * normalised to {@code v / 255 * 2 - 1} (float32), and every pixel of a tile gets the 3x3 neighbourhood of both
 * frames, zero-padded at the tile's border, as 27 channels in the order {@code ki * 9 + kj * 3 + c} (row offset
 * ki, column offset kj, colour c).
 */
public final class FlowFeatures {
    /** Channels per frame and pixel: 3x3 neighbours times RGB. */
    public static final int CHANNELS = 27;

    private FlowFeatures() {}

    /** RGB pixels (h, w, 3) -> normalised frame (3, h, w), channels first. */
    public static float[] normalize(Pixels rgb) {
        if (rgb.channels() != 3) {
            throw new IllegalArgumentException("frame channels (" + rgb.channels() + ") must be 3 (RGB)");
        }
        int n = rgb.height() * rgb.width();
        int[] d = rgb.data();
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * n + i] = (float) d[3 * i + c] / 255f * 2f - 1f;
            }
        }
        return out;
    }

    /**
     * Features of one tile: two normalised frames (3, h, w) -> (2, 27, tileHeight, tileWidth) written into
     * {@code dest} from {@code offset}.
     *
     * @param top first row of the tile in the frame
     * @param left first column of the tile in the frame
     */
    public static void extract(
            float[] frame1,
            float[] frame2,
            int height,
            int width,
            int top,
            int left,
            int tileHeight,
            int tileWidth,
            float[] dest,
            int offset) {
        if (frame1.length != 3 * height * width || frame2.length != frame1.length) {
            throw new IllegalArgumentException("frames must both have 3 * " + height + " * " + width + " values");
        }
        if (top < 0
                || left < 0
                || tileHeight <= 0
                || tileWidth <= 0
                || top + tileHeight > height
                || left + tileWidth > width) {
            throw new IllegalArgumentException("tile (top " + top + ", left " + left + ", " + tileHeight + "x"
                    + tileWidth + ") must lie inside the frame of " + height + "x" + width);
        }
        int plane = tileHeight * tileWidth;
        int n = height * width;
        for (int t = 0; t < 2; t++) {
            float[] frame = t == 0 ? frame1 : frame2;
            for (int ki = 0; ki < 3; ki++) {
                for (int kj = 0; kj < 3; kj++) {
                    for (int c = 0; c < 3; c++) {
                        int base = offset + (t * CHANNELS + ki * 9 + kj * 3 + c) * plane;
                        for (int y = 0; y < tileHeight; y++) {
                            int sy = y + ki - 1;
                            int row = base + y * tileWidth;
                            if (sy < 0 || sy >= tileHeight) {
                                java.util.Arrays.fill(dest, row, row + tileWidth, 0f);
                                continue;
                            }
                            int src = c * n + (top + sy) * width + left;
                            for (int x = 0; x < tileWidth; x++) {
                                int sx = x + kj - 1;
                                dest[row + x] = sx < 0 || sx >= tileWidth ? 0f : frame[src + sx];
                            }
                        }
                    }
                }
            }
        }
    }
}
