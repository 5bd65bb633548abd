package dev.perceiver.inference.vision;

/**
 * Resizes 8-bit images exactly as Pillow's {@code Image.resize} does for modes L and RGB (the resize of the
 * reference's Hugging Face image processor): a separable convolution, horizontal pass first, with the kernel
 * widened by the scale when downsampling (antialiasing), 22-bit fixed-point weights and rounding to 8 bits after
 * each pass; nearest neighbour samples the source pixel under each output pixel centre.
 */
public final class ImageResizer {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private ImageResizer() {}

    /** Image (h, w, c) -> image (height, width, c). */
    public static Pixels resize(Pixels in, int height, int width, Resample filter) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("resize size " + height + "x" + width + " (height x width) must be > 0");
        }
        if (height == in.height() && width == in.width()) {
            return in;
        }
        if (filter == Resample.NEAREST) {
            return nearest(in, height, width);
        }
        Pixels out = in;
        if (width != in.width()) {
            out = horizontal(out, width, filter);
        }
        if (height != in.height()) {
            out = vertical(out, height, filter);
        }
        return out;
    }

    /** Per output index: first source index, count, and fixed-point weights ({@code ksize} per output). */
    private record Coefficients(int[] first, int[] count, int[] weights, int ksize) {}

    private static Coefficients coefficients(int inSize, int outSize, Resample filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support() * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                k[x] = filter.weight((x + xmin - center + 0.5) * ss);
                ww += k[x];
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                double fixed = w * (1 << PRECISION_BITS);
                weights[xx * ksize + x] = (int) (w < 0 ? -0.5 + fixed : 0.5 + fixed);
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(first, count, weights, ksize);
    }

    private static int clip8(long v) {
        if (v >= (1L << PRECISION_BITS << 8)) {
            return 255;
        }
        if (v <= 0) {
            return 0;
        }
        return (int) (v >> PRECISION_BITS);
    }

    private static Pixels horizontal(Pixels in, int width, Resample filter) {
        Coefficients co = coefficients(in.width(), width, filter);
        int c = in.channels();
        int[] src = in.data();
        int[] out = new int[in.height() * width * c];
        for (int y = 0; y < in.height(); y++) {
            int row = y * in.width();
            for (int xx = 0; xx < width; xx++) {
                int base = xx * co.ksize();
                for (int ch = 0; ch < c; ch++) {
                    long ss = 1L << (PRECISION_BITS - 1);
                    for (int x = 0; x < co.count()[xx]; x++) {
                        ss += (long) src[(row + co.first()[xx] + x) * c + ch] * co.weights()[base + x];
                    }
                    out[(y * width + xx) * c + ch] = clip8(ss);
                }
            }
        }
        return new Pixels(in.height(), width, c, out);
    }

    private static Pixels vertical(Pixels in, int height, Resample filter) {
        Coefficients co = coefficients(in.height(), height, filter);
        int c = in.channels();
        int rowLen = in.width() * c;
        int[] src = in.data();
        int[] out = new int[height * rowLen];
        for (int yy = 0; yy < height; yy++) {
            int base = yy * co.ksize();
            for (int i = 0; i < rowLen; i++) {
                long ss = 1L << (PRECISION_BITS - 1);
                for (int y = 0; y < co.count()[yy]; y++) {
                    ss += (long) src[(co.first()[yy] + y) * rowLen + i] * co.weights()[base + y];
                }
                out[yy * rowLen + i] = clip8(ss);
            }
        }
        return new Pixels(height, in.width(), c, out);
    }

    private static Pixels nearest(Pixels in, int height, int width) {
        int[] xs = nearestIndices(in.width(), width);
        int[] ys = nearestIndices(in.height(), height);
        int c = in.channels();
        int[] out = new int[height * width * c];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(in.data(), (ys[y] * in.width() + xs[x]) * c, out, (y * width + x) * c, c);
            }
        }
        return new Pixels(height, width, c, out);
    }

    /** Source index under each output pixel centre, accumulated step by step as Pillow's affine scaling does. */
    private static int[] nearestIndices(int inSize, int outSize) {
        double step = (double) inSize / outSize;
        double pos = step * 0.5;
        int[] idx = new int[outSize];
        for (int i = 0; i < outSize; i++) {
            idx[i] = Math.min((int) pos, inSize - 1);
            pos += step;
        }
        return idx;
    }
}
