package dev.perceiver.inference.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
import dev.perceiver.model.io.FolderFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Settings of the reference's image classifier input processor (a Hugging Face {@code PerceiverImageProcessor}
 * with {@code single_channel} and {@code channels_last}), as stored in a model folder's
 * {@code preprocessor_config.json}. Steps in order: grayscale ({@code single_channel}), center crop to
 * {@code size / crop_size} of the shorter side, resize to {@code size}, multiply by {@code rescale_factor},
 * normalise with {@code image_mean} and {@code image_std} (one value, or one per channel).
 *
 * @param cropSize (height, width) of {@code crop_size}
 * @param size (height, width) of {@code size}
 * @param imageMean one value or one per channel
 * @param imageStd one value or one per channel
 */
public record ImageProcessorConfig(
        boolean singleChannel,
        boolean doCenterCrop,
        int[] cropSize,
        boolean doResize,
        int[] size,
        Resample resample,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        double[] imageMean,
        double[] imageStd,
        boolean channelsLast) {
    /** File name in a model folder. */
    public static final String FILE = "preprocessor_config.json";

    private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    /** Validates sizes and statistics. */
    public ImageProcessorConfig {
        requireSize("crop_size", cropSize);
        requireSize("size", size);
        if (!(rescaleFactor > 0) || Double.isInfinite(rescaleFactor)) {
            throw new IllegalArgumentException("rescale_factor (" + rescaleFactor + ") must be a number > 0");
        }
        requireStats("image_mean", imageMean, false);
        requireStats("image_std", imageStd, true);
        cropSize = cropSize.clone();
        size = size.clone();
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
    }

    /**
     * The processor for a model without {@code preprocessor_config.json}, from its {@code image_shape} (h, w, c):
     * c = 1 as the reference's MNIST classifier (grayscale, no crop, no resize, mean 0.5, std 0.5); c = 3 the
     * Perceiver image processor defaults (center crop to 224/256 of the shorter side, bicubic resize to (h, w),
     * ImageNet mean and std).
     */
    public static ImageProcessorConfig defaults(int[] imageShape) {
        requireImageShape(imageShape);
        int h = imageShape[0];
        int w = imageShape[1];
        if (imageShape[2] == 1) {
            return new ImageProcessorConfig(
                    true,
                    false,
                    new int[] {256, 256},
                    false,
                    new int[] {h, w},
                    Resample.BICUBIC,
                    true,
                    1.0 / 255,
                    true,
                    new double[] {0.5},
                    new double[] {0.5},
                    true);
        }
        int[] crop = {(int) Math.round(h * 256.0 / 224), (int) Math.round(w * 256.0 / 224)};
        return new ImageProcessorConfig(
                false,
                true,
                crop,
                true,
                new int[] {h, w},
                Resample.BICUBIC,
                true,
                1.0 / 255,
                true,
                IMAGENET_MEAN,
                IMAGENET_STD,
                true);
    }

    /** The processor of a model folder: its {@value #FILE}, else {@link #defaults(int[])}. */
    public static ImageProcessorConfig read(Path dir, int[] imageShape) throws IOException {
        Path file = FolderFiles.confined(dir, FILE);
        if (!Files.isRegularFile(file)) {
            return defaults(imageShape);
        }
        try {
            return fromJson(ConfigJson.parse(FolderFiles.readConfigText(file)));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the Hugging Face JSON; absent fields take the {@code PerceiverImageProcessor} defaults, fields of other
     * processors (e.g. {@code image_processor_type}) are ignored. Sizes may be an int or {@code {height, width}}.
     */
    public static ImageProcessorConfig fromJson(JsonNode node) {
        return new ImageProcessorConfig(
                bool(node, "single_channel", false),
                bool(node, "do_center_crop", true),
                sizeField(node, "crop_size", 256),
                bool(node, "do_resize", true),
                sizeField(node, "size", 224),
                Resample.of(ConfigJson.intField(node, "resample", Resample.BICUBIC.id())),
                bool(node, "do_rescale", true),
                ConfigJson.doubleField(node, "rescale_factor", 1.0 / 255),
                bool(node, "do_normalize", true),
                stats(node, "image_mean", IMAGENET_MEAN),
                stats(node, "image_std", IMAGENET_STD),
                bool(node, "channels_last", true));
    }

    /** JSON in the Hugging Face layout, loadable by the reference's processor. */
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.MAPPER.createObjectNode();
        o.put("channels_last", channelsLast);
        o.set("crop_size", sizeJson(cropSize));
        o.put("do_center_crop", doCenterCrop);
        o.put("do_normalize", doNormalize);
        o.put("do_rescale", doRescale);
        o.put("do_resize", doResize);
        o.set("image_mean", statsJson(imageMean));
        o.put("image_processor_type", "PerceiverImageClassifierInputProcessor");
        o.set("image_std", statsJson(imageStd));
        o.put("resample", resample.id());
        o.put("rescale_factor", rescaleFactor);
        o.put("single_channel", singleChannel);
        o.set("size", sizeJson(size));
        return o;
    }

    /** Writes {@value #FILE} into {@code dir} atomically. */
    public void save(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(FILE), ConfigJson.toString(toJson()) + "\n");
    }

    /** Requires (h, w, c) with positive sizes and c in {1, 3}. */
    static void requireImageShape(int[] imageShape) {
        if (imageShape.length != 3
                || imageShape[0] <= 0
                || imageShape[1] <= 0
                || (imageShape[2] != 1 && imageShape[2] != 3)) {
            throw new IllegalArgumentException("image_shape " + Arrays.toString(imageShape)
                    + " must be (height, width, channels) with channels 1 or 3");
        }
    }

    private static boolean bool(JsonNode node, String name, boolean dflt) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(name + " (" + v + ") must be true or false");
        }
        return v.booleanValue();
    }

    private static int[] sizeField(JsonNode node, String name, int dflt) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return new int[] {dflt, dflt};
        }
        if (v.isIntegralNumber()) {
            return new int[] {v.intValue(), v.intValue()};
        }
        if (v.isObject() && v.has("height") && v.has("width") && v.size() == 2) {
            return new int[] {ConfigJson.intField(v, "height", 0), ConfigJson.intField(v, "width", 0)};
        }
        throw new IllegalArgumentException(name + " (" + v + ") must be an integer or {\"height\": H, \"width\": W}");
    }

    private static double[] stats(JsonNode node, String name, double[] dflt) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isNumber()) {
            return new double[] {v.doubleValue()};
        }
        if (v.isArray() && !v.isEmpty()) {
            double[] out = new double[v.size()];
            for (int i = 0; i < out.length; i++) {
                if (!v.get(i).isNumber()) {
                    throw new IllegalArgumentException(name + " (" + v + ") must be a number or a list of numbers");
                }
                out[i] = v.get(i).doubleValue();
            }
            return out;
        }
        throw new IllegalArgumentException(name + " (" + v + ") must be a number or a list of numbers");
    }

    private static ObjectNode sizeJson(int[] hw) {
        ObjectNode o = ConfigJson.MAPPER.createObjectNode();
        o.put("height", hw[0]);
        o.put("width", hw[1]);
        return o;
    }

    private static JsonNode statsJson(double[] values) {
        if (values.length == 1) {
            return ConfigJson.MAPPER.getNodeFactory().numberNode(values[0]);
        }
        ArrayNode a = ConfigJson.MAPPER.createArrayNode();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }

    private static void requireSize(String name, int[] hw) {
        if (hw.length != 2 || hw[0] <= 0 || hw[1] <= 0) {
            throw new IllegalArgumentException(name + " " + Arrays.toString(hw) + " must be (height, width) > 0");
        }
    }

    private static void requireStats(String name, double[] values, boolean nonZero) {
        if (values.length == 0) {
            throw new IllegalArgumentException(name + " must have at least one value");
        }
        for (double v : values) {
            if (!Double.isFinite(v) || (nonZero && v == 0.0)) {
                throw new IllegalArgumentException(
                        name + " " + Arrays.toString(values) + " must be finite" + (nonZero ? " and non-zero" : ""));
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageProcessorConfig c
                && c.singleChannel == singleChannel
                && c.doCenterCrop == doCenterCrop
                && Arrays.equals(c.cropSize, cropSize)
                && c.doResize == doResize
                && Arrays.equals(c.size, size)
                && c.resample == resample
                && c.doRescale == doRescale
                && c.rescaleFactor == rescaleFactor
                && c.doNormalize == doNormalize
                && Arrays.equals(c.imageMean, imageMean)
                && Arrays.equals(c.imageStd, imageStd)
                && c.channelsLast == channelsLast;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {
            singleChannel,
            doCenterCrop,
            Arrays.hashCode(cropSize),
            doResize,
            Arrays.hashCode(size),
            resample,
            doRescale,
            rescaleFactor,
            doNormalize,
            Arrays.hashCode(imageMean),
            Arrays.hashCode(imageStd),
            channelsLast
        });
    }

    @Override
    public String toString() {
        return "ImageProcessorConfig" + ConfigJson.toString(toJson());
    }

    /** {@code crop_size} (height, width). */
    @Override
    public int[] cropSize() {
        return cropSize.clone();
    }

    /** {@code size} (height, width). */
    @Override
    public int[] size() {
        return size.clone();
    }

    /** {@code image_mean}. */
    @Override
    public double[] imageMean() {
        return imageMean.clone();
    }

    /** {@code image_std}. */
    @Override
    public double[] imageStd() {
        return imageStd.clone();
    }
}
