package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Optical flow encoder: generic encoder fields plus {@code image_shape} (h, w), {@code num_patch_input_channels}
 * (27 = 3x3 patch of RGB), {@code num_patch_hidden_channels} and {@code num_frequency_bands}. Build one with
 * {@link #builder}.
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

    /** Reads the encoder section; absent fields take the reference defaults. */
    public static OpticalFlowEncoderConfig fromJson(JsonNode node) {
        Builder b = builder().base(ConfigJson.bind(node, EncoderConfig.class, "encoder", EXTRA));
        return b.imageShape(ConfigJson.intArray(node, "image_shape", b.imageShape))
                .numPatchInputChannels(ConfigJson.intField(node, "num_patch_input_channels", b.numPatchInputChannels))
                .numPatchHiddenChannels(
                        ConfigJson.intField(node, "num_patch_hidden_channels", b.numPatchHiddenChannels))
                .numFrequencyBands(ConfigJson.intField(node, "num_frequency_bands", b.numFrequencyBands))
                .build();
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

    /**
     * A builder starting from the reference defaults (368 x 496 frames, 27 patch input channels, 64 patch hidden
     * channels, 64 frequency bands).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder()
                .base(base)
                .imageShape(imageShape)
                .numPatchInputChannels(numPatchInputChannels)
                .numPatchHiddenChannels(numPatchHiddenChannels)
                .numFrequencyBands(numFrequencyBands);
    }

    /** Builder of {@link OpticalFlowEncoderConfig}. */
    public static final class Builder {
        private EncoderConfig base = EncoderConfig.defaults();
        private int[] imageShape = {368, 496};
        private int numPatchInputChannels = 27;
        private int numPatchHiddenChannels = 64;
        private int numFrequencyBands = 64;

        private Builder() {}

        /** Sets the generic encoder fields. */
        public Builder base(EncoderConfig value) {
            this.base = value;
            return this;
        }

        /** Sets image_shape (height, width). */
        public Builder imageShape(int... value) {
            this.imageShape = value.clone();
            return this;
        }

        /** Sets num_patch_input_channels. */
        public Builder numPatchInputChannels(int value) {
            this.numPatchInputChannels = value;
            return this;
        }

        /** Sets num_patch_hidden_channels. */
        public Builder numPatchHiddenChannels(int value) {
            this.numPatchHiddenChannels = value;
            return this;
        }

        /** Sets num_frequency_bands. */
        public Builder numFrequencyBands(int value) {
            this.numFrequencyBands = value;
            return this;
        }

        /** Builds and validates the config. */
        public OpticalFlowEncoderConfig build() {
            return new OpticalFlowEncoderConfig(
                    base, imageShape.clone(), numPatchInputChannels, numPatchHiddenChannels, numFrequencyBands);
        }
    }
}
