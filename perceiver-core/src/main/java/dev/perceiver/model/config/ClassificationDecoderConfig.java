package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Classification decoder: generic decoder fields plus num_output_queries, num_output_query_channels, num_classes.
 * Build one with {@link #builder}.
 */
public record ClassificationDecoderConfig(
        DecoderConfig base, int numOutputQueries, int numOutputQueryChannels, int numClasses)
        implements TaskConfigPart {
    private static final Set<String> EXTRA = Set.of("num_output_queries", "num_output_query_channels", "num_classes");

    /** Validates the extra fields. */
    public ClassificationDecoderConfig {
        Checks.positive("num_output_queries", numOutputQueries);
        Checks.positive("num_output_query_channels", numOutputQueryChannels);
        Checks.positive("num_classes", numClasses);
    }

    /** Reads the decoder section; absent fields take the reference defaults. */
    public static ClassificationDecoderConfig fromJson(JsonNode node) {
        Builder b = builder().base(ConfigJson.bind(node, DecoderConfig.class, "decoder", EXTRA));
        return b.numOutputQueries(ConfigJson.intField(node, "num_output_queries", b.numOutputQueries))
                .numOutputQueryChannels(
                        ConfigJson.intField(node, "num_output_query_channels", b.numOutputQueryChannels))
                .numClasses(ConfigJson.intField(node, "num_classes", b.numClasses))
                .build();
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.put("num_output_queries", numOutputQueries);
        o.put("num_output_query_channels", numOutputQueryChannels);
        o.put("num_classes", numClasses);
        return o;
    }

    /** A builder starting from the reference defaults (1 output query of 256 channels, 100 classes). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder()
                .base(base)
                .numOutputQueries(numOutputQueries)
                .numOutputQueryChannels(numOutputQueryChannels)
                .numClasses(numClasses);
    }

    /** Builder of {@link ClassificationDecoderConfig}. */
    public static final class Builder {
        private DecoderConfig base = DecoderConfig.defaults();
        private int numOutputQueries = 1;
        private int numOutputQueryChannels = 256;
        private int numClasses = 100;

        private Builder() {}

        /** Sets the generic decoder fields. */
        public Builder base(DecoderConfig value) {
            this.base = value;
            return this;
        }

        /** Sets num_output_queries. */
        public Builder numOutputQueries(int value) {
            this.numOutputQueries = value;
            return this;
        }

        /** Sets num_output_query_channels. */
        public Builder numOutputQueryChannels(int value) {
            this.numOutputQueryChannels = value;
            return this;
        }

        /** Sets num_classes. */
        public Builder numClasses(int value) {
            this.numClasses = value;
            return this;
        }

        /** Builds and validates the config. */
        public ClassificationDecoderConfig build() {
            return new ClassificationDecoderConfig(base, numOutputQueries, numOutputQueryChannels, numClasses);
        }
    }
}
