package dev.perceiver.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.LabelScore;
import java.util.List;

/** The JSON fields shared by several tasks, written exactly as the CLI's {@code --json} output writes them. */
final class JsonFields {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFields() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** {@code labels}: one object with {@code label}, {@code index} and {@code score} per label, best first. */
    static void labels(ObjectNode o, List<LabelScore> scores) {
        ArrayNode labels = o.putArray("labels");
        for (LabelScore s : scores) {
            labels.addObject().put("label", s.label()).put("index", s.index()).put("score", s.score());
        }
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
