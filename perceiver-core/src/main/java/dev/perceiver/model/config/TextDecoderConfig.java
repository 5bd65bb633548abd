package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Masked language model decoder: generic decoder fields plus {@code num_output_query_channels} (null = tie the
 * output to the input embedding), {@code vocab_size} and {@code max_seq_len} (number of output queries). Build one
 * with {@link #builder}.
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

    /** Reads the decoder section; absent fields take the reference defaults. */
    public static TextDecoderConfig fromJson(JsonNode node) {
        Builder b = builder().base(ConfigJson.bind(node, DecoderConfig.class, "decoder", EXTRA));
        return b.numOutputQueryChannels(ConfigJson.optionalInt(node, "num_output_query_channels"))
                .vocabSize(ConfigJson.intField(node, "vocab_size", b.vocabSize))
                .maxSeqLen(ConfigJson.intField(node, "max_seq_len", b.maxSeqLen))
                .build();
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

    /** A builder starting from the reference defaults (tied output, vocab_size 10003, max_seq_len 512). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder()
                .base(base)
                .numOutputQueryChannels(numOutputQueryChannels)
                .vocabSize(vocabSize)
                .maxSeqLen(maxSeqLen);
    }

    /** Builder of {@link TextDecoderConfig}. */
    public static final class Builder {
        private DecoderConfig base = DecoderConfig.defaults();
        private Integer numOutputQueryChannels;
        private int vocabSize = 10003;
        private int maxSeqLen = 512;

        private Builder() {}

        /** Sets the generic decoder fields. */
        public Builder base(DecoderConfig value) {
            this.base = value;
            return this;
        }

        /** Sets num_output_query_channels; null ties the output to the input embedding. */
        public Builder numOutputQueryChannels(Integer value) {
            this.numOutputQueryChannels = value;
            return this;
        }

        /** Sets vocab_size. */
        public Builder vocabSize(int value) {
            this.vocabSize = value;
            return this;
        }

        /** Sets max_seq_len (the number of output queries). */
        public Builder maxSeqLen(int value) {
            this.maxSeqLen = value;
            return this;
        }

        /** Builds and validates the config. */
        public TextDecoderConfig build() {
            return new TextDecoderConfig(base, numOutputQueryChannels, vocabSize, maxSeqLen);
        }
    }
}
