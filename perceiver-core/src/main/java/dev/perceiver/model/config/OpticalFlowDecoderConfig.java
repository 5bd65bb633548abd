package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Optical flow decoder: generic decoder fields plus {@code image_shape} (h, w) and {@code rescale_factor}. Build one
 * with {@link #builder}.
 */
public record OpticalFlowDecoderConfig(DecoderConfig base, int[] imageShape, double rescaleFactor)
        implements TaskConfigPart {
    private static final Set<String> EXTRA = Set.of("image_shape", "rescale_factor");

    /** Validates the extra fields. */
    public OpticalFlowDecoderConfig {
        Checks.require(imageShape.length == 2, "image_shape must be (height, width)");
        Checks.require(rescaleFactor != 0.0, "rescale_factor must not be 0");
    }

    /** Reads the decoder section; absent fields take the reference defaults. */
    public static OpticalFlowDecoderConfig fromJson(JsonNode node) {
        Builder b = builder().base(ConfigJson.bind(node, DecoderConfig.class, "decoder", EXTRA));
        return b.imageShape(ConfigJson.intArray(node, "image_shape", b.imageShape))
                .rescaleFactor(ConfigJson.doubleField(node, "rescale_factor", b.rescaleFactor))
                .build();
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.set("image_shape", ConfigJson.MAPPER.valueToTree(imageShape));
        o.put("rescale_factor", rescaleFactor);
        return o;
    }

    /** A builder starting from the reference defaults (368 x 496 frames, rescale_factor 100). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder().base(base).imageShape(imageShape).rescaleFactor(rescaleFactor);
    }

    /** Builder of {@link OpticalFlowDecoderConfig}. */
    public static final class Builder {
        private DecoderConfig base = DecoderConfig.defaults();
        private int[] imageShape = {368, 496};
        private double rescaleFactor = 100.0;

        private Builder() {}

        /** Sets the generic decoder fields. */
        public Builder base(DecoderConfig value) {
            this.base = value;
            return this;
        }

        /** Sets image_shape (height, width). */
        public Builder imageShape(int... value) {
            this.imageShape = value.clone();
            return this;
        }

        /** Sets rescale_factor (the output projection is divided by it). */
        public Builder rescaleFactor(double value) {
            this.rescaleFactor = value;
            return this;
        }

        /** Builds and validates the config. */
        public OpticalFlowDecoderConfig build() {
            return new OpticalFlowDecoderConfig(base, imageShape.clone(), rescaleFactor);
        }
    }
}
