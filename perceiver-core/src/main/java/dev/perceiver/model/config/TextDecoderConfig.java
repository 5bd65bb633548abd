package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Masked language model decoder: generic decoder fields plus {@code num_output_query_channels} (null = tie the
 * output to the input embedding), {@code vocab_size} and {@code max_seq_len} (number of output queries).
 */
public record TextDecoderConfig(DecoderConfig base, Integer numOutputQueryChannels, int vocabSize, int maxSeqLen)
        implements TaskConfigPart {
    private static final Set<String> EXTRA = Set.of("num_output_query_channels", "vocab_size", "max_seq_len");

    /** Validates the extra fields. */
    public TextDecoderConfig {
        if (numOutputQueryChannels != null) {
            Checks.positive("num_output_query_channels", numOutputQueryChannels);
        }
        Checks.positive("vocab_size", vocabSize);
        Checks.positive("max_seq_len", maxSeqLen);
    }

    /** Reads the decoder section. */
    public static TextDecoderConfig fromJson(JsonNode node) {
        return new TextDecoderConfig(
                ConfigJson.bind(node, DecoderConfig.class, "decoder", EXTRA),
                ConfigJson.optionalInt(node, "num_output_query_channels"),
                ConfigJson.intField(node, "vocab_size", 10003),
                ConfigJson.intField(node, "max_seq_len", 512));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        if (numOutputQueryChannels == null) {
            o.putNull("num_output_query_channels");
        } else {
            o.put("num_output_query_channels", numOutputQueryChannels);
        }
        o.put("vocab_size", vocabSize);
        o.put("max_seq_len", maxSeqLen);
        return o;
    }
}
