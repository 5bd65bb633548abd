package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Text encoder: generic encoder fields plus {@code vocab_size}, {@code max_seq_len}, {@code num_input_channels} and
 * {@code params} (path of pretrained encoder parameters in the reference; kept for compatibility).
 */
public record TextEncoderConfig(EncoderConfig base, int vocabSize, int maxSeqLen, int numInputChannels, String params)
        implements TaskConfigPart {
    private static final Set<String> EXTRA = Set.of("vocab_size", "max_seq_len", "num_input_channels", "params");

    /** Validates the extra fields. */
    public TextEncoderConfig {
        Checks.positive("vocab_size", vocabSize);
        Checks.positive("max_seq_len", maxSeqLen);
        Checks.positive("num_input_channels", numInputChannels);
    }

    /** Reads the encoder section. */
    public static TextEncoderConfig fromJson(JsonNode node) {
        JsonNode p = node == null ? null : node.get("params");
        return new TextEncoderConfig(
                ConfigJson.bind(node, EncoderConfig.class, "encoder", EXTRA),
                ConfigJson.intField(node, "vocab_size", 10003),
                ConfigJson.intField(node, "max_seq_len", 256),
                ConfigJson.intField(node, "num_input_channels", 64),
                p == null || p.isNull() ? null : p.asText());
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.put("vocab_size", vocabSize);
        o.put("max_seq_len", maxSeqLen);
        o.put("num_input_channels", numInputChannels);
        o.put("params", params);
        return o;
    }
}
