package dev.perceiver.model.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An encoder or decoder config of a task model that can be written as the reference's JSON object. */
public interface TaskConfigPart {
    /** JSON object with the reference's snake_case field names. */
    ObjectNode toJson();
}
