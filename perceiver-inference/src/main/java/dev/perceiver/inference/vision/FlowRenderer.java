package dev.perceiver.inference.vision;

import dev.perceiver.model.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Colour-codes a flow field as the reference's render function does with OpenCV: hue from the direction (8-bit
 * hue {@code angle / 2pi * 180} truncated, the angle by OpenCV's fast arctangent), saturation from the magnitude
 * ({@code 255 * magnitude / maxMagnitude}, clipped and truncated), full value, converted by OpenCV's HSV to RGB
 * arithmetic. Colours equal OpenCV 4's on x86-64 (AVX2) bit for bit (fields of fewer than 16 pixels may differ in
 * the last bit). The reference draws {@value #REFERENCE_MAX_MAGNITUDE} pixels at full saturation;
 * {@link #render(FlowField)} normalises by the field's largest magnitude instead.
 */
public final class FlowRenderer {
    /** Magnitude (pixels) that the reference renders at full saturation. */
    public static final double REFERENCE_MAX_MAGNITUDE = 24.0;

    /**
     * Pixels per vector step of OpenCV's 8-bit HSV to RGB conversion on x86-64 (AVX2); the last
     * {@code width % 32} pixels of each row take its scalar code.
     */
    static final int HSV_VECTOR_PIXELS = 32;

    private static final int[][] SECTORS = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};
    private static final float PI = (float) Math.PI;
    private static final float DEG_TO_RAD = (float) (Math.PI / 180);
    private static final float HUE_SCALE = 6f / 180;
    private static final float EPS = (float) 2.220446049250313e-16;
    private static final float RAD_TO_DEG = (float) (180 / Math.PI);
    private static final float P1 = 0.9997878412794807f * RAD_TO_DEG;
    private static final float P3 = -0.3258083974640975f * RAD_TO_DEG;
    private static final float P5 = 0.1555786518463281f * RAD_TO_DEG;
    private static final float P7 = -0.04432655554792128f * RAD_TO_DEG;

    private FlowRenderer() {}

    /**
     * Renders with full saturation at the field's largest finite magnitude ({@code magnitude / max * 255}); a zero
     * field renders white.
     */
    public static BufferedImage render(FlowField flow) {
        float max = 0f;
        for (int i = 0; i < flow.height() * flow.width(); i++) {
            float m = magnitude(flow.data()[2 * i], flow.data()[2 * i + 1]);
            if (Float.isFinite(m)) {
                max = Math.max(max, m);
            }
        }
        return render(flow, max > 0 ? max : 1f, true);
    }

    /**
     * Renders a flow field (h, w, 2) as an RGB image of h rows and w columns, saturation
     * {@code magnitude * 255 / maxMagnitude} as the reference computes it.
     *
     * @param maxMagnitude magnitude drawn at full saturation, > 0 (the reference's is
     *     {@value #REFERENCE_MAX_MAGNITUDE})
     */
    public static BufferedImage render(FlowField flow, double maxMagnitude) {
        if (!(maxMagnitude > 0) || Double.isInfinite(maxMagnitude)) {
            throw new IllegalArgumentException("max_magnitude (" + maxMagnitude + ") must be a number > 0");
        }
        return render(flow, (float) maxMagnitude, false);
    }

    private static BufferedImage render(FlowField flow, float maxMagnitude, boolean normalised) {
        BufferedImage image = new BufferedImage(flow.width(), flow.height(), BufferedImage.TYPE_INT_RGB);
        int[] row = new int[flow.width()];
        int vectorEnd = flow.width() - flow.width() % HSV_VECTOR_PIXELS;
        for (int y = 0; y < flow.height(); y++) {
            for (int x = 0; x < flow.width(); x++) {
                float u = flow.u(y, x);
                float v = flow.v(y, x);
                if (!Float.isFinite(u) || !Float.isFinite(v)) {
                    row[x] = 0;
                    continue;
                }
                int hue = (int) (angleRadians(u, v) / PI / 2f * 180f);
                float mag = magnitude(u, v);
                float scaled = normalised ? mag / maxMagnitude * 255f : mag * 255f / maxMagnitude;
                int sat = (int) Math.min(255f, Math.max(0f, scaled));
                row[x] = x < vectorEnd ? hsvToRgb(hue, sat) : hsvToRgbScalar(hue, sat);
            }
            image.setRGB(0, y, flow.width(), 1, row, 0, flow.width());
        }
        return image;
    }

    /** Length of (u, v) in float32 as OpenCV's vectorised cartToPolar computes it. */
    static float magnitude(float u, float v) {
        return (float) Math.sqrt(Math.fma(u, u, v * v));
    }

    /** Direction of (u, v) in [0, 2pi] radians by OpenCV's polynomial approximation (its vectorised form). */
    static float angleRadians(float u, float v) {
        float ax = Math.abs(u);
        float ay = Math.abs(v);
        float c = Math.min(ax, ay) / (Math.max(ax, ay) + EPS);
        float cc = c * c;
        float a = Math.fma(Math.fma(Math.fma(cc, P7, P5), cc, P3), cc, P1) * c;
        if (!(ax >= ay)) {
            a = 90f - a;
        }
        if (u < 0) {
            a = 180f - a;
        }
        if (v < 0) {
            a = 360f - a;
        }
        return a * DEG_TO_RAD;
    }

    /**
     * OpenCV's 8-bit HSV (hue 0..180) with full value to packed 0xRRGGBB, as its vectorised conversion computes it
     * (float32 with fused multiply-adds, truncated to 8 bits).
     */
    static int hsvToRgb(int hue, int sat) {
        float h = hue * HUE_SCALE;
        float s = sat * (1f / 255f);
        float v = 255 * (1f / 255f);
        float pre = (int) h;
        h -= pre;
        float tab0 = v;
        float tab1 = v * (1f - s);
        float tab2 = v * Math.fma(-s, h, 1f);
        float tab3 = v * Math.fma(-s, 1f - h, 1f);
        float sector = pre - (int) (pre * (1f / 6f)) * 6f;
        float b = sector < 2 ? tab1 : sector == 2 ? tab3 : sector <= 4 ? tab0 : tab2;
        float g = sector < 1 ? tab3 : sector <= 2 ? tab0 : sector == 3 ? tab2 : tab1;
        float r = sector < 1 ? tab0 : sector == 1 ? tab2 : sector <= 3 ? tab1 : sector == 4 ? tab3 : tab0;
        return (to8(r) << 16) | (to8(g) << 8) | to8(b);
    }

    /** The same conversion as OpenCV's scalar code computes it (rounded to nearest), used for the row tails. */
    static int hsvToRgbScalar(int hue, int sat) {
        float s = sat * (1f / 255f);
        float v = 255 * (1f / 255f);
        if (s == 0) {
            int g = round8(v);
            return (g << 16) | (g << 8) | g;
        }
        float h = hue * HUE_SCALE;
        int sector = (int) Math.floor(h);
        h -= sector;
        sector %= 6;
        float[] tab = {v, v * (1f - s), v * Math.fma(-s, h, 1f), v * (1f - s * (1f - h))};
        return (round8(tab[SECTORS[sector][2]]) << 16)
                | (round8(tab[SECTORS[sector][1]]) << 8)
                | round8(tab[SECTORS[sector][0]]);
    }

    private static int to8(float x) {
        return Math.max(0, Math.min(255, (int) (x * 255f)));
    }

    private static int round8(float x) {
        return (int) Math.max(0, Math.min(255, Math.rint(x * 255f)));
    }

    /** Writes an image as PNG atomically. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException(file + ": no PNG writer available");
            }
        });
    }
}
