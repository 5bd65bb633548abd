package dev.perceiver.inference.vision;

/**
 * A dense optical flow field: per pixel the displacement (u, v) in pixels, u to the right and v downwards, stored
 * row-major as {@code (height, width, 2)} floats.
 *
 * @param data {@code height * width * 2} values
 */
public record FlowField(int height, int width, float[] data) {

    /** Validates the shape. */
    public FlowField {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("flow size " + height + "x" + width + " (height x width) must be > 0");
        }
        if (data.length != 2L * height * width) {
            throw new IllegalArgumentException(
                    "flow data length (" + data.length + ") must be height * width * 2 = " + 2L * height * width);
        }
    }

    /** Horizontal displacement at (y, x). */
    public float u(int y, int x) {
        return data[(y * width + x) * 2];
    }

    /** Vertical displacement at (y, x). */
    public float v(int y, int x) {
        return data[(y * width + x) * 2 + 1];
    }

    /** Length of the displacement at (y, x). */
    public double magnitude(int y, int x) {
        return Math.hypot(u(y, x), v(y, x));
    }

    /** Summary statistics over all finite vectors. */
    public Stats stats() {
        double uMin = Double.POSITIVE_INFINITY;
        double uMax = Double.NEGATIVE_INFINITY;
        double vMin = Double.POSITIVE_INFINITY;
        double vMax = Double.NEGATIVE_INFINITY;
        double uSum = 0;
        double vSum = 0;
        double magSum = 0;
        double magMax = 0;
        long n = 0;
        for (int i = 0; i < height * width; i++) {
            double u = data[2 * i];
            double v = data[2 * i + 1];
            if (!Double.isFinite(u) || !Double.isFinite(v)) {
                continue;
            }
            n++;
            uMin = Math.min(uMin, u);
            uMax = Math.max(uMax, u);
            vMin = Math.min(vMin, v);
            vMax = Math.max(vMax, v);
            uSum += u;
            vSum += v;
            double m = Math.hypot(u, v);
            magSum += m;
            magMax = Math.max(magMax, m);
        }
        if (n == 0) {
            return new Stats(
                    0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Stats(n, uMin, uMax, uSum / n, vMin, vMax, vSum / n, magSum / n, magMax);
    }

    /** Statistics of a flow field over its {@code count} finite vectors. */
    public record Stats(
            long count,
            double uMin,
            double uMax,
            double uMean,
            double vMin,
            double vMax,
            double vMean,
            double magnitudeMean,
            double magnitudeMax) {}
}
