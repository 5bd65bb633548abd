package dev.perceiver.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.json.ResultJson;

/** Rows as JSON objects and lines, with the mapper of {@link ResultJson} (the fields of the CLI's {@code --json}). */
final class JsonFields {
    static final ObjectMapper MAPPER = ResultJson.MAPPER;

    private JsonFields() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The object as one line of JSON. */
    static String line(ObjectNode o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
