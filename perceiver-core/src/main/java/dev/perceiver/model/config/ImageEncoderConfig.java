package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Arrays;
import java.util.Set;

/**
 * Image classifier encoder: generic encoder fields plus {@code image_shape} (h, w, c) and
 * {@code num_frequency_bands}.
 */
public record ImageEncoderConfig(EncoderConfig base, int[] imageShape, int numFrequencyBands)
        implements TaskConfigPart {
    private static final Set<String> EXTRA = Set.of("image_shape", "num_frequency_bands");

    /** Validates the extra fields. */
    public ImageEncoderConfig {
        Checks.require(
                imageShape.length >= 2,
                "image_shape " + Arrays.toString(imageShape)
                        + " must have at least 2 dimensions (spatial..., channels)");
        for (int s : imageShape) {
            Checks.positive("image_shape dimension", s);
        }
        Checks.positive("num_frequency_bands", numFrequencyBands);
    }

    /** Reads the encoder section. */
    public static ImageEncoderConfig fromJson(JsonNode node) {
        return new ImageEncoderConfig(
                ConfigJson.bind(node, EncoderConfig.class, "encoder", EXTRA),
                ConfigJson.intArray(node, "image_shape", new int[] {224, 224, 3}),
                ConfigJson.intField(node, "num_frequency_bands", 32));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.set("image_shape", ConfigJson.MAPPER.valueToTree(imageShape));
        o.put("num_frequency_bands", numFrequencyBands);
        return o;
    }
}
