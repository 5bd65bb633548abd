package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Checks;
import java.util.function.Function;

/**
 * A Perceiver IO model config: encoder and decoder configs of the task, number of latents N and latent channels D
 * (reference {@code PerceiverIOConfig}).
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
        boolean activationOffloading) {

    /** Validates N and D. */
    public PerceiverIOConfig {
        Checks.positive("num_latents", numLatents);
        Checks.positive("num_latent_channels", numLatentChannels);
    }

    /** Reads a config of the reference layout: {encoder: {...}, decoder: {...}, num_latents, num_latent_channels}. */
    public static <E extends TaskConfigPart, D extends TaskConfigPart> PerceiverIOConfig<E, D> fromJson(
            JsonNode node, Function<JsonNode, E> encoder, Function<JsonNode, D> decoder) {
        ObjectNode o = ConfigJson.requireObject(node, "model");
        for (java.util.Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!java.util.Set.of(
                            "encoder",
                            "decoder",
                            "num_latents",
                            "num_latent_channels",
                            "activation_checkpointing",
                            "activation_offloading")
                    .contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "' in model config");
            }
        }
        if (!o.has("num_latents") || !o.has("num_latent_channels")) {
            throw new IllegalArgumentException("model config needs num_latents and num_latent_channels");
        }
        return new PerceiverIOConfig<>(
                encoder.apply(o.get("encoder")),
                decoder.apply(o.get("decoder")),
                ConfigJson.intField(o, "num_latents", 0),
                ConfigJson.intField(o, "num_latent_channels", 0),
                o.path("activation_checkpointing").asBoolean(false),
                o.path("activation_offloading").asBoolean(false));
    }

    /** JSON tree in the reference layout. */
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
}
