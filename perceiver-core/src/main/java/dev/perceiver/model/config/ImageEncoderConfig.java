package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Arrays;
import java.util.Set;

/**
 * Image classifier encoder: generic encoder fields plus {@code image_shape} (h, w, c), {@code num_frequency_bands}
 * and how pixels become the encoder input ({@link ImagePreprocessing}: the reference's pixels with Fourier features
 * unless the fields say otherwise). With the {@code conv} preprocessing {@code image_shape} is the size the pipeline
 * feeds; the model itself takes any size. Build one with {@link #builder}.
 */
public record ImageEncoderConfig(
        EncoderConfig base, int[] imageShape, int numFrequencyBands, ImagePreprocessing preprocessing)
        implements TaskConfigPart {
    private static final Set<String> EXTRA = extra();

    private static Set<String> extra() {
        Set<String> s = new java.util.HashSet<>(ImagePreprocessing.FIELDS);
        s.add("image_shape");
        s.add("num_frequency_bands");
        return Set.copyOf(s);
    }

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
        java.util.Objects.requireNonNull(preprocessing, "preprocessing");
    }

    /** Reads the encoder section; absent fields take the reference defaults. */
    public static ImageEncoderConfig fromJson(JsonNode node) {
        Builder b = builder().base(ConfigJson.bind(node, EncoderConfig.class, "encoder", EXTRA));
        return b.imageShape(ConfigJson.intArray(node, "image_shape", b.imageShape))
                .numFrequencyBands(ConfigJson.intField(node, "num_frequency_bands", b.numFrequencyBands))
                .preprocessing(ImagePreprocessing.fromJson(node))
                .build();
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.set("image_shape", ConfigJson.MAPPER.valueToTree(imageShape));
        o.put("num_frequency_bands", numFrequencyBands);
        preprocessing.toJson(o);
        return o;
    }

    /** A builder starting from the reference defaults (224 x 224 x 3 images, 32 frequency bands). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder()
                .base(base)
                .imageShape(imageShape)
                .numFrequencyBands(numFrequencyBands)
                .preprocessing(preprocessing);
    }

    /** Builder of {@link ImageEncoderConfig}. */
    public static final class Builder {
        private EncoderConfig base = EncoderConfig.defaults();
        private int[] imageShape = {224, 224, 3};
        private int numFrequencyBands = 32;
        private ImagePreprocessing preprocessing = ImagePreprocessing.DEFAULT;

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

        /** Sets how pixels become the encoder input (default: pixels with Fourier features). */
        public Builder preprocessing(ImagePreprocessing value) {
            this.preprocessing = value;
            return this;
        }

        /** Builds and validates the config. */
        public ImageEncoderConfig build() {
            return new ImageEncoderConfig(base, imageShape.clone(), numFrequencyBands, preprocessing);
        }
    }
}
