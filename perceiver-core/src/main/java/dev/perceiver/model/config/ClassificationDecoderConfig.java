package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/** Classification decoder: generic decoder fields plus num_output_queries, num_output_query_channels, num_classes. */
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

    /** Reads the decoder section. */
    public static ClassificationDecoderConfig fromJson(JsonNode node) {
        return new ClassificationDecoderConfig(
                ConfigJson.bind(node, DecoderConfig.class, "decoder", EXTRA),
                ConfigJson.intField(node, "num_output_queries", 1),
                ConfigJson.intField(node, "num_output_query_channels", 256),
                ConfigJson.intField(node, "num_classes", 100));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.put("num_output_queries", numOutputQueries);
        o.put("num_output_query_channels", numOutputQueryChannels);
        o.put("num_classes", numClasses);
        return o;
    }
}
