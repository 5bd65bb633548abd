package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Text encoder: generic encoder fields plus {@code vocab_size}, {@code max_seq_len}, {@code num_input_channels} and
 * {@code params} (path of pretrained encoder parameters in the reference; kept for compatibility). Build one with
 * {@link #builder}.
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

    /** Reads the encoder section; absent fields take the reference defaults. */
    public static TextEncoderConfig fromJson(JsonNode node) {
        Builder b = builder().base(ConfigJson.bind(node, EncoderConfig.class, "encoder", EXTRA));
        JsonNode p = node.get("params");
        return b.vocabSize(ConfigJson.intField(node, "vocab_size", b.vocabSize))
                .maxSeqLen(ConfigJson.intField(node, "max_seq_len", b.maxSeqLen))
                .numInputChannels(ConfigJson.intField(node, "num_input_channels", b.numInputChannels))
                .params(p == null || p.isNull() ? null : p.asText())
                .build();
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

    /** A builder starting from the reference defaults (vocab_size 10003, max_seq_len 256, 64 input channels). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder()
                .base(base)
                .vocabSize(vocabSize)
                .maxSeqLen(maxSeqLen)
                .numInputChannels(numInputChannels)
                .params(params);
    }

    /** Builder of {@link TextEncoderConfig}. */
    public static final class Builder {
        private EncoderConfig base = EncoderConfig.defaults();
        private int vocabSize = 10003;
        private int maxSeqLen = 256;
        private int numInputChannels = 64;
        private String params;

        private Builder() {}

        /** Sets the generic encoder fields. */
        public Builder base(EncoderConfig value) {
            this.base = value;
            return this;
        }

        /** Sets vocab_size. */
        public Builder vocabSize(int value) {
            this.vocabSize = value;
            return this;
        }

        /** Sets max_seq_len. */
        public Builder maxSeqLen(int value) {
            this.maxSeqLen = value;
            return this;
        }

        /** Sets num_input_channels (token embedding width C). */
        public Builder numInputChannels(int value) {
            this.numInputChannels = value;
            return this;
        }

        /** Sets params (pretrained encoder parameters of the reference; null = none). */
        public Builder params(String value) {
            this.params = value;
            return this;
        }

        /** Builds and validates the config. */
        public TextEncoderConfig build() {
            return new TextEncoderConfig(base, vocabSize, maxSeqLen, numInputChannels, params);
        }
    }
}
