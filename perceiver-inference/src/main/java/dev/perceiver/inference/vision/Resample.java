package dev.perceiver.inference.vision;

/**
 * Resampling filters with the ids of Pillow's {@code Image.Resampling} (the {@code resample} field of a Hugging Face
 * image processor config) and their kernels and supports as Pillow defines them.
 */
public enum Resample {
    NEAREST(0, 0.0),
    LANCZOS(1, 3.0),
    BILINEAR(2, 1.0),
    BICUBIC(3, 2.0),
    BOX(4, 0.5),
    HAMMING(5, 1.0);

    private final int id;
    private final double support;

    Resample(int id, double support) {
        this.id = id;
        this.support = support;
    }

    /** Pillow's id. */
    public int id() {
        return id;
    }

    /** Half-width of the kernel at scale 1 (0 for nearest). */
    public double support() {
        return support;
    }

    /** The filter of a Pillow id; an error names the valid ids. */
    public static Resample of(int id) {
        for (Resample r : values()) {
            if (r.id == id) {
                return r;
            }
        }
        throw new IllegalArgumentException("resample (" + id + ") must be a Pillow filter id 0..5 (0 nearest, "
                + "1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)");
    }

    /** Kernel weight at distance {@code x} (in source pixels at scale 1). */
    double weight(double x) {
        switch (this) {
            case BOX:
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            case BILINEAR:
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            case HAMMING:
                x = Math.abs(x);
                if (x == 0.0) {
                    return 1.0;
                }
                if (x >= 1.0) {
                    return 0.0;
                }
                x *= Math.PI;
                return Math.sin(x) / x * (0.54 + 0.46 * Math.cos(x));
            case BICUBIC: {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1.0) {
                    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                }
                if (x < 2.0) {
                    return (((x - 5) * x + 8) * x - 4) * a;
                }
                return 0.0;
            }
            case LANCZOS:
                return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
            default:
                throw new IllegalStateException("nearest has no kernel");
        }
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x *= Math.PI;
        return Math.sin(x) / x;
    }
}
