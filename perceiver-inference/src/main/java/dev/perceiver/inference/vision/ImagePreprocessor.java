package dev.perceiver.inference.vision;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Turns an image into the input of an image classifier with {@code image_shape} (h, w, c), as the reference's
 * image processor does with an {@link ImageProcessorConfig}: convert to c channels (c = 1: luma, c = 3: RGB),
 * center crop, resize (Pillow-exact), then in float32 {@code x = (float) (v * rescale_factor)} and
 * {@code (x - mean[ch]) / std[ch]}. Output is channels last, {@code h * w * c} floats.
 */
public final class ImagePreprocessor {
    private final ImageProcessorConfig config;
    private final int height;
    private final int width;
    private final int channels;
    private final float[] mean;
    private final float[] std;

    /**
     * @param imageShape the model's (h, w, c), c 1 or 3
     * @throws IllegalArgumentException if the config cannot produce that shape
     */
    public ImagePreprocessor(ImageProcessorConfig config, int[] imageShape) {
        ImageProcessorConfig.requireImageShape(imageShape);
        this.config = config;
        height = imageShape[0];
        width = imageShape[1];
        channels = imageShape[2];
        if (!config.channelsLast()) {
            throw new IllegalArgumentException("channels_last (false) is not supported: the image classifier takes "
                    + "channels-last input (height, width, channels)");
        }
        if (config.singleChannel() != (channels == 1)) {
            throw new IllegalArgumentException("single_channel (" + config.singleChannel() + ") does not match the "
                    + "model's image_shape " + Arrays.toString(imageShape) + " with " + channels + " channel(s)");
        }
        if (config.doResize() && (config.size()[0] != height || config.size()[1] != width)) {
            throw new IllegalArgumentException("size " + config.size()[0] + "x" + config.size()[1] + " (height x "
                    + "width) must equal the model's image_shape " + height + "x" + width);
        }
        mean = perChannel("image_mean", config.imageMean());
        std = perChannel("image_std", config.imageStd());
    }

    private float[] perChannel(String name, double[] values) {
        if (values.length != 1 && values.length != channels) {
            throw new IllegalArgumentException(name + " " + Arrays.toString(values) + " must have 1 or " + channels
                    + " values (the model's image channels)");
        }
        float[] out = new float[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = (float) values[values.length == 1 ? 0 : c];
        }
        return out;
    }

    /** The model input shape (h, w, c). */
    public int[] imageShape() {
        return new int[] {height, width, channels};
    }

    public ImageProcessorConfig config() {
        return config;
    }

    /** Decoded image -> (h, w, c) floats. */
    public float[] preprocess(BufferedImage image) {
        return preprocess(channels == 1 ? Images.gray(image) : Images.rgb(image));
    }

    /**
     * Pixels of any size and 1 or 3 channels -> (h, w, c) floats.
     *
     * @throws IllegalArgumentException if the image (after cropping) does not have the model's size and the
     *     processor does not resize, or the crop is empty
     */
    public float[] preprocess(Pixels pixels) {
        Pixels p = Images.toChannels(pixels, channels);
        if (config.doCenterCrop()) {
            p = centerCrop(p);
        }
        if (config.doResize()) {
            p = ImageResizer.resize(p, height, width, config.resample());
        }
        if (p.height() != height || p.width() != width) {
            throw new IllegalArgumentException("image size " + p.height() + "x" + p.width()
                    + (config.doCenterCrop() ? " after center crop" : "") + " (height x width) must be " + height
                    + "x" + width + ", the model's image_shape (its processor does not resize)");
        }
        int[] d = p.data();
        float[] out = new float[d.length];
        double scale = config.rescaleFactor();
        for (int i = 0; i < d.length; i++) {
            float x = config.doRescale() ? (float) (d[i] * scale) : d[i];
            if (config.doNormalize()) {
                int c = i % channels;
                x = (x - mean[c]) / std[c];
            }
            out[i] = x;
        }
        return out;
    }

    /**
     * Crops the centre {@code (size / crop_size) * min(h, w)} rectangle (truncated to int); where that is larger
     * than the image, the image is first centred on a zero canvas.
     */
    Pixels centerCrop(Pixels p) {
        int minDim = Math.min(p.height(), p.width());
        int ch = (int) ((double) config.size()[0] / config.cropSize()[0] * minDim);
        int cw = (int) ((double) config.size()[1] / config.cropSize()[1] * minDim);
        if (ch <= 0 || cw <= 0) {
            throw new IllegalArgumentException("image size " + p.height() + "x" + p.width()
                    + " (height x width) is too small: its center crop would be empty");
        }
        int top = Math.floorDiv(p.height() - ch, 2);
        int left = Math.floorDiv(p.width() - cw, 2);
        if (top >= 0 && left >= 0) {
            return p.crop(top, left, ch, cw);
        }
        int nh = Math.max(ch, p.height());
        int nw = Math.max(cw, p.width());
        int padTop = (nh - p.height() + 1) / 2;
        int padLeft = (nw - p.width() + 1) / 2;
        int c = p.channels();
        int[] canvas = new int[nh * nw * c];
        for (int y = 0; y < p.height(); y++) {
            System.arraycopy(p.data(), y * p.width() * c, canvas, ((y + padTop) * nw + padLeft) * c, p.width() * c);
        }
        int t = Math.max(0, top + padTop);
        int l = Math.max(0, left + padLeft);
        int b = Math.min(nh, top + padTop + ch);
        int r = Math.min(nw, left + padLeft + cw);
        return new Pixels(nh, nw, c, canvas).crop(t, l, b - t, r - l);
    }
}
