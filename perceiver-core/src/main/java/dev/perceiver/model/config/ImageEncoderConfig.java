package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Arrays;
import java.util.Set;

/**
 * Image classifier encoder: generic encoder fields plus {@code image_shape} (h, w, c) and
 * {@code num_frequency_bands}. Build one with {@link #builder}.
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

    /** Reads the encoder section; absent fields take the reference defaults. */
    public static ImageEncoderConfig fromJson(JsonNode node) {
        Builder b = builder().base(ConfigJson.bind(node, EncoderConfig.class, "encoder", EXTRA));
        return b.imageShape(ConfigJson.intArray(node, "image_shape", b.imageShape))
                .numFrequencyBands(ConfigJson.intField(node, "num_frequency_bands", b.numFrequencyBands))
                .build();
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.set("image_shape", ConfigJson.MAPPER.valueToTree(imageShape));
        o.put("num_frequency_bands", numFrequencyBands);
        return o;
    }

    /** A builder starting from the reference defaults (224 x 224 x 3 images, 32 frequency bands). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder().base(base).imageShape(imageShape).numFrequencyBands(numFrequencyBands);
    }

    /** Builder of {@link ImageEncoderConfig}. */
    public static final class Builder {
        private EncoderConfig base = EncoderConfig.defaults();
        private int[] imageShape = {224, 224, 3};
        private int numFrequencyBands = 32;

        private Builder() {}

        /** Sets the generic encoder fields. */
        public Builder base(EncoderConfig value) {
            this.base = value;
            return this;
        }

        /** Sets image_shape (spatial dimensions..., channels). */
        public Builder imageShape(int... value) {
            this.imageShape = value.clone();
            return this;
        }

        /** Sets num_frequency_bands of the Fourier position encoding. */
        public Builder numFrequencyBands(int value) {
            this.numFrequencyBands = value;
            return this;
        }

        /** Builds and validates the config. */
        public ImageEncoderConfig build() {
            return new ImageEncoderConfig(base, imageShape.clone(), numFrequencyBands);
        }
    }
}
