package dev.perceiver.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * JSON (and YAML-tree) binding of configs with the reference's snake_case field names. Task configs extend the
 * generic encoder/decoder fields with a few of their own in the same JSON object; those are split off here.
 */
public final class ConfigJson {
    /** Mapper used for all configs: snake_case, unknown fields are errors. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigJson() {}

    /** Parses a JSON string into a tree. */
    public static ObjectNode parse(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (!(node instanceof ObjectNode o)) {
                throw new IllegalArgumentException("config must be a JSON object");
            }
            return o;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    /**
     * A parse error by its location only ("invalid JSON at line 3, column 7"): the parser's own message quotes the
     * input, and a file's content must not reach error output.
     */
    public static String describe(JsonProcessingException e) {
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 0
                ? "invalid JSON"
                : "invalid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /** Binds {@code node} (minus the {@code extensions} field names) to {@code type}. */
    public static <T> T bind(JsonNode node, Class<T> type, String section, Set<String> extensions) {
        ObjectNode rest = requireObject(node, section).deepCopy();
        rest.remove(extensions);
        try {
            return MAPPER.treeToValue(rest, type);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(
                    "unknown field '" + e.getPropertyName() + "' in " + section + " config", e);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException iae) {
                throw new IllegalArgumentException(section + " config: " + iae.getMessage(), iae);
            }
            throw new IllegalArgumentException("invalid " + section + " config: " + e.getOriginalMessage(), e);
        }
    }

    /** The object at {@code node}, or an error naming {@code section}. */
    public static ObjectNode requireObject(JsonNode node, String section) {
        if (!(node instanceof ObjectNode o)) {
            throw new IllegalArgumentException(section + " config must be a JSON object");
        }
        return o;
    }

    /** Tree of a record with snake_case names. */
    public static ObjectNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** Integer field, or {@code dflt} when absent or null. */
    public static int intField(JsonNode node, String name, int dflt) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(name + " (" + v + ") must be an integer");
        }
        return v.intValue();
    }

    /** Nullable integer field. */
    public static Integer optionalInt(JsonNode node, String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : intField(node, name, 0);
    }

    /** Double field, or {@code dflt}. */
    public static double doubleField(JsonNode node, String name, double dflt) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(name + " (" + v + ") must be a number");
        }
        return v.doubleValue();
    }

    /** Integer list field (e.g. image_shape), or {@code dflt}. */
    public static int[] intArray(JsonNode node, String name, int[] dflt) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(name + " (" + v + ") must be a list of integers");
        }
        List<Integer> out = new ArrayList<>();
        for (Iterator<JsonNode> it = v.elements(); it.hasNext(); ) {
            JsonNode e = it.next();
            if (!e.isIntegralNumber()) {
                throw new IllegalArgumentException(name + " (" + v + ") must be a list of integers");
            }
            out.add(e.intValue());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Pretty JSON text of a tree. */
    public static String toString(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
