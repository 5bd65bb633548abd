package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Optical flow encoder: generic encoder fields plus {@code image_shape} (h, w), {@code num_patch_input_channels}
 * (27 = 3x3 patch of RGB), {@code num_patch_hidden_channels} and {@code num_frequency_bands}.
 */
public record OpticalFlowEncoderConfig(
        EncoderConfig base,
        int[] imageShape,
        int numPatchInputChannels,
        int numPatchHiddenChannels,
        int numFrequencyBands)
        implements TaskConfigPart {
    private static final Set<String> EXTRA =
            Set.of("image_shape", "num_patch_input_channels", "num_patch_hidden_channels", "num_frequency_bands");

    /** Validates the extra fields. */
    public OpticalFlowEncoderConfig {
        Checks.require(imageShape.length == 2, "image_shape must be (height, width)");
        Checks.positive("image_shape height", imageShape[0]);
        Checks.positive("image_shape width", imageShape[1]);
        Checks.positive("num_patch_input_channels", numPatchInputChannels);
        Checks.positive("num_patch_hidden_channels", numPatchHiddenChannels);
        Checks.positive("num_frequency_bands", numFrequencyBands);
    }

    /** Reads the encoder section. */
    public static OpticalFlowEncoderConfig fromJson(JsonNode node) {
        return new OpticalFlowEncoderConfig(
                ConfigJson.bind(node, EncoderConfig.class, "encoder", EXTRA),
                ConfigJson.intArray(node, "image_shape", new int[] {368, 496}),
                ConfigJson.intField(node, "num_patch_input_channels", 27),
                ConfigJson.intField(node, "num_patch_hidden_channels", 64),
                ConfigJson.intField(node, "num_frequency_bands", 64));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.set("image_shape", ConfigJson.MAPPER.valueToTree(imageShape));
        o.put("num_patch_input_channels", numPatchInputChannels);
        o.put("num_patch_hidden_channels", numPatchHiddenChannels);
        o.put("num_frequency_bands", numFrequencyBands);
        return o;
    }
}
