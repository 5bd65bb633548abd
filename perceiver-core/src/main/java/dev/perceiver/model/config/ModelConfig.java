package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A whole model config: the {@code model_config} object of a model folder's {@code config.json}, written with the
 * reference's snake_case field names.
 */
public interface ModelConfig {
    /** JSON object with the reference's field names. */
    ObjectNode toJson();
}
