package dev.perceiver.inference.vision;

import dev.perceiver.model.limits.InputLimits;
import dev.perceiver.model.limits.MemoryBudget;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads image files with {@code javax.imageio} (PNG, JPEG, BMP, GIF; the first frame of an animation) and converts
 * them to 8-bit {@link Pixels} the way the reference's Pillow pipeline does: {@code convert("RGB")} drops alpha and
 * replicates gray, {@code convert("L")} is the ITU-R 601 luma {@code (19595 R + 38470 G + 7471 B + 32768) >> 16}.
 * Grayscale files are read from their samples, never through a color-space conversion; 16-bit samples are scaled to
 * 0..255.
 */
public final class Images {
    private Images() {}

    /**
     * Decodes an image file. Its width and height are read from the header first and checked against
     * {@link InputLimits#MAX_IMAGE_PIXELS} and the Java heap, so a small file declaring a huge image is refused
     * before any pixel buffer is allocated.
     *
     * @throws IOException naming the file if it is missing or not a decodable image
     * @throws IllegalArgumentException naming the file if its declared size exceeds the limits
     */
    public static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "image file does not exist");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(file + ": not a readable image (supported: PNG, JPEG, BMP, GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkSize(file, reader.getWidth(0), reader.getHeight(0));
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IOException(
                    file + ": cannot decode image (" + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")",
                    e);
        }
    }

    /** Refuses a declared size beyond {@link InputLimits#MAX_IMAGE_PIXELS} or the heap (4 bytes a pixel). */
    static void checkSize(Path file, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(file + ": invalid image size " + width + " x " + height);
        }
        long pixels = (long) width * height;
        if (pixels > InputLimits.MAX_IMAGE_PIXELS) {
            throw new IllegalArgumentException(file + ": image of " + width + " x " + height + " = " + pixels
                    + " pixels exceeds the limit of " + InputLimits.MAX_IMAGE_PIXELS + " pixels");
        }
        MemoryBudget.checkHeap(file + " (" + width + " x " + height + ")", "decoding the image", pixels * 4 * 3);
    }

    /** Pixels (h, w, 3) of an image: gray replicated, alpha dropped. */
    public static Pixels rgb(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        int[] out = new int[h * w * 3];
        int[] gray = graySamples(image);
        if (gray != null) {
            for (int i = 0; i < gray.length; i++) {
                out[3 * i] = gray[i];
                out[3 * i + 1] = gray[i];
                out[3 * i + 2] = gray[i];
            }
        } else {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                out[3 * i] = (argb[i] >> 16) & 0xff;
                out[3 * i + 1] = (argb[i] >> 8) & 0xff;
                out[3 * i + 2] = argb[i] & 0xff;
            }
        }
        return new Pixels(h, w, 3, out);
    }

    /** Pixels (h, w, 1) of an image: gray samples as they are, color converted to luma. */
    public static Pixels gray(BufferedImage image) {
        int[] gray = graySamples(image);
        return gray != null ? new Pixels(image.getHeight(), image.getWidth(), 1, gray) : luma(rgb(image));
    }

    /** Pixels converted to {@code channels} (1: luma, 3: gray replicated); the same object when they match. */
    public static Pixels toChannels(Pixels p, int channels) {
        if (p.channels() == channels) {
            return p;
        }
        if (channels == 1) {
            return luma(p);
        }
        if (channels != 3) {
            throw new IllegalArgumentException("channels (" + channels + ") must be 1 or 3");
        }
        int[] out = new int[p.height() * p.width() * 3];
        for (int i = 0; i < p.data().length; i++) {
            out[3 * i] = p.data()[i];
            out[3 * i + 1] = p.data()[i];
            out[3 * i + 2] = p.data()[i];
        }
        return new Pixels(p.height(), p.width(), 3, out);
    }

    /** Luma of an RGB image, as Pillow's {@code convert("L")}. */
    static Pixels luma(Pixels rgb) {
        int n = rgb.height() * rgb.width();
        int[] out = new int[n];
        int[] d = rgb.data();
        for (int i = 0; i < n; i++) {
            out[i] = (d[3 * i] * 19595 + d[3 * i + 1] * 38470 + d[3 * i + 2] * 7471 + 0x8000) >> 16;
        }
        return new Pixels(rgb.height(), rgb.width(), 1, out);
    }

    /**
     * Samples of band 0 scaled to 0..255 for integer component gray images (with or without alpha), else null (such
     * images go through {@code getRGB}).
     */
    private static int[] graySamples(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (!(cm instanceof ComponentColorModel) || cm.getColorSpace().getType() != ColorSpace.TYPE_GRAY) {
            return null;
        }
        Raster raster = image.getRaster();
        int type = raster.getTransferType();
        if (type != DataBuffer.TYPE_BYTE && type != DataBuffer.TYPE_USHORT) {
            return null;
        }
        int bits = raster.getSampleModel().getSampleSize(0);
        int h = image.getHeight();
        int w = image.getWidth();
        int[] samples = raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, 0, (int[]) null);
        if (bits != 8) {
            long max = (1L << bits) - 1;
            for (int i = 0; i < samples.length; i++) {
                samples[i] = (int) ((samples[i] * 255L + max / 2) / max);
            }
        }
        return samples;
    }
}
