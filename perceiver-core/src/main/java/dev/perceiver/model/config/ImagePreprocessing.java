package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Arrays;
import java.util.Set;

/**
 * How an image classifier turns pixels into its encoder input (transformers' {@code PerceiverImagePreprocessor}
 * {@code prep_type}), as the encoder fields {@code prep_type}, {@code num_prep_channels},
 * {@code num_position_channels} and {@code max_resolution}:
 *
 * <ul>
 *   <li>{@code pixels} (the reference's only one, the default): the pixels with Fourier features of the image grid;
 *   <li>{@code conv1x1} ({@code deepmind/vision-perceiver-learned}): a 1 x 1 convolution to {@code num_prep_channels},
 *       concatenated with a learned position embedding of {@code num_position_channels} per pixel, projected by a
 *       linear layer to the same number of channels;
 *   <li>{@code conv} ({@code deepmind/vision-perceiver-conv}): a conv + batch-norm + max-pool stem to
 *       {@code num_prep_channels} (about 4x smaller grid), concatenated with Fourier features whose frequencies are
 *       set by {@code max_resolution} (h, w).
 * </ul>
 *
 * @param type {@value #PIXELS}, {@value #CONV1X1} or {@value #CONV}
 * @param numChannels channels of the convolution's output (ignored for pixels)
 * @param numPositionChannels channels of the learned position embedding (conv1x1 only)
 * @param maxResolution (h, w) of the Fourier frequencies (conv only), or null
 */
public record ImagePreprocessing(String type, int numChannels, int numPositionChannels, int[] maxResolution) {
    /** Pixels with Fourier features (the reference's image classifier). */
    public static final String PIXELS = "pixels";
    /** 1 x 1 convolution with a learned position embedding. */
    public static final String CONV1X1 = "conv1x1";
    /** Conv + batch-norm + max-pool stem with Fourier features. */
    public static final String CONV = "conv";
    /** The encoder fields this record reads and writes. */
    static final Set<String> FIELDS =
            Set.of("prep_type", "num_prep_channels", "num_position_channels", "max_resolution");

    /** The reference's preprocessing: pixels with Fourier features. */
    public static final ImagePreprocessing DEFAULT = new ImagePreprocessing(PIXELS, 0, 0, null);

    /** Validates the fields of the type. */
    public ImagePreprocessing {
        Checks.require(
                PIXELS.equals(type) || CONV1X1.equals(type) || CONV.equals(type),
                "prep_type '" + type + "' must be '" + PIXELS + "', '" + CONV1X1 + "' or '" + CONV + "'");
        if (!PIXELS.equals(type)) {
            Checks.positive("num_prep_channels", numChannels);
        }
        if (CONV1X1.equals(type)) {
            Checks.positive("num_position_channels", numPositionChannels);
        }
        if (CONV.equals(type)) {
            Checks.require(
                    maxResolution != null && maxResolution.length == 2 && maxResolution[0] > 0 && maxResolution[1] > 0,
                    "max_resolution " + Arrays.toString(maxResolution) + " must be (height, width) > 0");
        }
        maxResolution = maxResolution == null ? null : maxResolution.clone();
    }

    /** A 1 x 1 convolution to {@code channels} with a learned position embedding of {@code positionChannels}. */
    public static ImagePreprocessing conv1x1(int channels, int positionChannels) {
        return new ImagePreprocessing(CONV1X1, channels, positionChannels, null);
    }

    /** The conv stem to {@code channels} with Fourier features of frequencies set by {@code maxResolution}. */
    public static ImagePreprocessing conv(int channels, int... maxResolution) {
        return new ImagePreprocessing(CONV, channels, 0, maxResolution);
    }

    /** Reads the fields from an encoder section; absent {@code prep_type} is {@link #DEFAULT}. */
    static ImagePreprocessing fromJson(JsonNode encoder) {
        JsonNode t = encoder.get("prep_type");
        if (t == null || t.isNull()) {
            return DEFAULT;
        }
        String type = t.asText();
        boolean conv1x1 = CONV1X1.equals(type);
        return new ImagePreprocessing(
                type,
                ConfigJson.intField(encoder, "num_prep_channels", conv1x1 ? 256 : 64),
                ConfigJson.intField(encoder, "num_position_channels", conv1x1 ? 256 : 0),
                ConfigJson.intArray(encoder, "max_resolution", CONV.equals(type) ? new int[] {56, 56} : null));
    }

    /** Writes the fields into an encoder section (nothing for the default, so reference configs stay as they are). */
    void toJson(ObjectNode encoder) {
        if (PIXELS.equals(type)) {
            return;
        }
        encoder.put("prep_type", type);
        encoder.put("num_prep_channels", numChannels);
        if (CONV1X1.equals(type)) {
            encoder.put("num_position_channels", numPositionChannels);
        }
        if (CONV.equals(type)) {
            encoder.set("max_resolution", ConfigJson.MAPPER.valueToTree(maxResolution));
        }
    }

    /** (h, w) of the Fourier frequencies (conv only), or null. */
    @Override
    public int[] maxResolution() {
        return maxResolution == null ? null : maxResolution.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImagePreprocessing p
                && p.type.equals(type)
                && p.numChannels == numChannels
                && p.numPositionChannels == numPositionChannels
                && Arrays.equals(p.maxResolution, maxResolution);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(type, numChannels, numPositionChannels) + Arrays.hashCode(maxResolution);
    }

    @Override
    public String toString() {
        return "ImagePreprocessing[" + type + ", " + numChannels + ", " + numPositionChannels + ", "
                + Arrays.toString(maxResolution) + "]";
    }
}
