package dev.perceiver.train.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code model} options: the reference {@code model_config} without the fields that the data determines, and
 * which parts are frozen ({@code encoder.freeze}, {@code decoder.freeze}; a frozen part's parameters are not
 * trained).
 *
 * @param config the model section as given (a copy)
 * @param encoderFrozen {@code model.encoder.freeze}
 * @param decoderFrozen {@code model.decoder.freeze}
 */
public record ModelOptions(ObjectNode config, boolean encoderFrozen, boolean decoderFrozen) {
    /** Reads a {@code model} section. */
    public static ModelOptions parse(JsonNode model) {
        if (!model.isObject()) {
            throw new IllegalArgumentException("model options must be a mapping, not " + model);
        }
        OptionReader encoder = new OptionReader(model.path("encoder"), "model.encoder");
        OptionReader decoder = new OptionReader(model.path("decoder"), "model.decoder");
        return new ModelOptions(
                ((ObjectNode) model).deepCopy(), encoder.bool("freeze", false), decoder.bool("freeze", false));
    }

    /** The model config with the data's fields ({@code links}, a partial config tree) filled in. */
    public ObjectNode linked(JsonNode links) {
        ObjectNode m = config.deepCopy();
        merge(m, links);
        return m;
    }

    private static void merge(ObjectNode target, JsonNode source) {
        source.fields().forEachRemaining(e -> {
            if (e.getValue().isObject() && target.get(e.getKey()) instanceof ObjectNode t) {
                merge(t, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        });
    }
}
