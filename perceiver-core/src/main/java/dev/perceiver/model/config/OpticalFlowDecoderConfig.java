package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/** Optical flow decoder: generic decoder fields plus {@code image_shape} (h, w) and {@code rescale_factor}. */
public record OpticalFlowDecoderConfig(DecoderConfig base, int[] imageShape, double rescaleFactor)
        implements TaskConfigPart {
    private static final Set<String> EXTRA = Set.of("image_shape", "rescale_factor");

    /** Validates the extra fields. */
    public OpticalFlowDecoderConfig {
        Checks.require(imageShape.length == 2, "image_shape must be (height, width)");
        Checks.require(rescaleFactor != 0.0, "rescale_factor must not be 0");
    }

    /** Reads the decoder section. */
    public static OpticalFlowDecoderConfig fromJson(JsonNode node) {
        return new OpticalFlowDecoderConfig(
                ConfigJson.bind(node, DecoderConfig.class, "decoder", EXTRA),
                ConfigJson.intArray(node, "image_shape", new int[] {368, 496}),
                ConfigJson.doubleField(node, "rescale_factor", 100.0));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.set("image_shape", ConfigJson.MAPPER.valueToTree(imageShape));
        o.put("rescale_factor", rescaleFactor);
        return o;
    }
}
