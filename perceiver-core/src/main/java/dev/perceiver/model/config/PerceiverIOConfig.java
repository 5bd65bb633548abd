package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A Perceiver IO model config: encoder and decoder configs of the task, number of latents N and latent channels D
 * (reference {@code PerceiverIOConfig}). Build one with {@link #builder}.
 *
 * @param <E> encoder config type
 * @param <D> decoder config type
 */
public record PerceiverIOConfig<E extends TaskConfigPart, D extends TaskConfigPart>(
        E encoder,
        D decoder,
        int numLatents,
        int numLatentChannels,
        boolean activationCheckpointing,
        boolean activationOffloading)
        implements ModelConfig {

    /** Validates N and D. */
    public PerceiverIOConfig {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        Checks.positive("num_latents", numLatents);
        Checks.positive("num_latent_channels", numLatentChannels);
    }

    /** The fields of the reference layout as JSON binds them; encoder and decoder are read by the task's readers. */
    private record Fields(
            JsonNode encoder,
            JsonNode decoder,
            Integer numLatents,
            Integer numLatentChannels,
            Boolean activationCheckpointing,
            Boolean activationOffloading) {}

    /** Reads a config of the reference layout: {encoder: {...}, decoder: {...}, num_latents, num_latent_channels}. */
    public static <E extends TaskConfigPart, D extends TaskConfigPart> PerceiverIOConfig<E, D> fromJson(
            JsonNode node, Function<JsonNode, E> encoder, Function<JsonNode, D> decoder) {
        Fields f = ConfigJson.bind(node, Fields.class, "model", Set.of());
        if (f.numLatents() == null || f.numLatentChannels() == null) {
            throw new IllegalArgumentException("model config needs num_latents and num_latent_channels");
        }
        return builder(encoder.apply(f.encoder()), decoder.apply(f.decoder()))
                .numLatents(f.numLatents())
                .numLatentChannels(f.numLatentChannels())
                .activationCheckpointing(Boolean.TRUE.equals(f.activationCheckpointing()))
                .activationOffloading(Boolean.TRUE.equals(f.activationOffloading()))
                .build();
    }

    /** JSON tree in the reference layout. */
    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.MAPPER.createObjectNode();
        o.put("activation_checkpointing", activationCheckpointing);
        o.put("activation_offloading", activationOffloading);
        o.set("decoder", decoder.toJson());
        o.set("encoder", encoder.toJson());
        o.put("num_latent_channels", numLatentChannels);
        o.put("num_latents", numLatents);
        return o;
    }

    /**
     * A builder for a task's encoder and decoder; {@code num_latents} and {@code num_latent_channels} have no default
     * (as in the reference) and must be set, the activation options default to false.
     */
    public static <E extends TaskConfigPart, D extends TaskConfigPart> Builder<E, D> builder(E encoder, D decoder) {
        return new Builder<>(encoder, decoder);
    }

    /** A builder starting from this config. */
    public Builder<E, D> toBuilder() {
        return new Builder<>(encoder, decoder)
                .numLatents(numLatents)
                .numLatentChannels(numLatentChannels)
                .activationCheckpointing(activationCheckpointing)
                .activationOffloading(activationOffloading);
    }

    /** Builder of {@link PerceiverIOConfig}. */
    public static final class Builder<E extends TaskConfigPart, D extends TaskConfigPart> {
        private E encoder;
        private D decoder;
        private Integer numLatents;
        private Integer numLatentChannels;
        private boolean activationCheckpointing;
        private boolean activationOffloading;

        private Builder(E encoder, D decoder) {
            this.encoder = encoder;
            this.decoder = decoder;
        }

        /** Sets the encoder config. */
        public Builder<E, D> encoder(E value) {
            this.encoder = value;
            return this;
        }

        /** Sets the decoder config. */
        public Builder<E, D> decoder(D value) {
            this.decoder = value;
            return this;
        }

        /** Sets num_latents (N). */
        public Builder<E, D> numLatents(int value) {
            this.numLatents = value;
            return this;
        }

        /** Sets num_latent_channels (D). */
        public Builder<E, D> numLatentChannels(int value) {
            this.numLatentChannels = value;
            return this;
        }

        /** Sets activation_checkpointing (kept for the reference's configs; no effect here). */
        public Builder<E, D> activationCheckpointing(boolean value) {
            this.activationCheckpointing = value;
            return this;
        }

        /** Sets activation_offloading (kept for the reference's configs; no effect here). */
        public Builder<E, D> activationOffloading(boolean value) {
            this.activationOffloading = value;
            return this;
        }

        /** Builds and validates the config; num_latents and num_latent_channels must have been set. */
        public PerceiverIOConfig<E, D> build() {
            if (numLatents == null || numLatentChannels == null) {
                throw new IllegalArgumentException("model config needs num_latents and num_latent_channels");
            }
            return new PerceiverIOConfig<>(
                    encoder, decoder, numLatents, numLatentChannels, activationCheckpointing, activationOffloading);
        }
    }
}
