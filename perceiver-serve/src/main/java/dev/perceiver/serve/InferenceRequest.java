package dev.perceiver.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.json.ResultJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face Inference API body, {@code {"inputs": ..., "parameters": {...}, "stream": bool}}, with typed and
 * range-checked access to its parameters. Every parameter a task reads is recorded; {@link #finish()} refuses the
 * ones no task reads, so a misspelt name is an error rather than silently ignored.
 */
public final class InferenceRequest {
    private static final Set<String> TOP_LEVEL = Set.of("inputs", "parameters", "stream", "options");

    private final JsonNode inputs;
    private final ObjectNode parameters;
    private final boolean stream;
    private final Set<String> read = new LinkedHashSet<>();

    private InferenceRequest(JsonNode inputs, ObjectNode parameters, boolean stream) {
        this.inputs = inputs;
        this.parameters = parameters;
        this.stream = stream;
    }

    /**
     * Parses a JSON body.
     *
     * @throws ApiException 400 for malformed JSON or a missing {@code inputs}, 422 for wrong types or unknown keys
     */
    public static InferenceRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = ResultJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "malformed JSON: " + e.getOriginalMessage() + " at " + location(e));
        } catch (IOException e) {
            throw ApiException.badRequest("body", "unreadable body: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw ApiException.badRequest("body", "empty body; expected {\"inputs\": ..., \"parameters\": {...}}");
        }
        if (!root.isObject()) {
            throw ApiException.invalid("body", "expected a JSON object {\"inputs\": ...}, got " + type(root));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!TOP_LEVEL.contains(name)) {
                throw ApiException.invalid(name, "unknown field '" + name + "'; valid: " + new TreeSet<>(TOP_LEVEL));
            }
        }
        JsonNode inputs = root.get("inputs");
        if (inputs == null || inputs.isNull()) {
            throw ApiException.badRequest("inputs", "missing field 'inputs'");
        }
        JsonNode params = root.get("parameters");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw ApiException.invalid("parameters", "'parameters' must be an object, got " + type(params));
        }
        JsonNode options = root.get("options");
        if (options != null && !options.isNull() && !options.isObject()) {
            throw ApiException.invalid("options", "'options' must be an object, got " + type(options));
        }
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw ApiException.invalid("stream", "'stream' must be true or false, got " + type(stream));
        }
        ObjectNode p = params == null || params.isNull() ? ResultJson.MAPPER.createObjectNode() : (ObjectNode) params;
        return new InferenceRequest(inputs, p, stream != null && stream.asBoolean());
    }

    /** A body made in code (multipart uploads). */
    static InferenceRequest of(JsonNode inputs, ObjectNode parameters) {
        return new InferenceRequest(inputs, parameters, false);
    }

    public JsonNode inputs() {
        return inputs;
    }

    /** The parameters object as sent (empty when none). */
    ObjectNode parametersNode() {
        return parameters;
    }

    public boolean stream() {
        return stream;
    }

    /** {@code inputs} as one text of at most {@code maxChars} characters. */
    public String text(int maxChars) {
        if (!inputs.isTextual()) {
            throw ApiException.invalid("inputs", "'inputs' must be a string, got " + type(inputs));
        }
        return checkLength("inputs", inputs.asText(), maxChars);
    }

    /** {@code inputs} as a string or an array of 1..maxBatch strings, each at most {@code maxChars} long. */
    public List<String> texts(int maxChars, int maxCount) {
        List<String> out = new ArrayList<>();
        if (inputs.isTextual()) {
            out.add(checkLength("inputs", inputs.asText(), maxChars));
            return out;
        }
        if (!inputs.isArray() || inputs.isEmpty() || inputs.size() > maxCount) {
            throw ApiException.invalid(
                    "inputs",
                    "'inputs' must be a string or an array of 1.." + maxCount + " strings, got "
                            + (inputs.isArray() ? "an array of " + inputs.size() : type(inputs)));
        }
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode t = inputs.get(i);
            if (!t.isTextual()) {
                throw ApiException.invalid("inputs[" + i + "]", "inputs[" + i + "] must be a string, got " + type(t));
            }
            out.add(checkLength("inputs[" + i + "]", t.asText(), maxChars));
        }
        return out;
    }

    /** An integer parameter in [min, max], or {@code fallback} when absent. */
    public int intParam(String name, int fallback, int min, long max) {
        JsonNode v = param(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw ApiException.invalid(field(name), name + " must be an integer, got " + describe(v));
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw ApiException.invalid(
                    field(name), name + " (" + v.asText() + ") must be in [" + min + ", " + max + "]");
        }
        return (int) d;
    }

    /** A long parameter, or null when absent. */
    public Long longParam(String name) {
        JsonNode v = param(name);
        if (v == null) {
            return null;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw ApiException.invalid(field(name), name + " must be a 64-bit integer, got " + describe(v));
        }
        return v.asLong();
    }

    /** A number parameter in (minExclusive, max], or {@code fallback} when absent. */
    public double doubleParam(String name, double fallback, double minExclusive, double max) {
        JsonNode v = param(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw ApiException.invalid(field(name), name + " must be a number, got " + describe(v));
        }
        double d = v.asDouble();
        if (!(d > minExclusive && d <= max)) {
            throw ApiException.invalid(
                    field(name), name + " (" + v.asText() + ") must be in (" + minExclusive + ", " + max + "]");
        }
        return d;
    }

    /** A boolean parameter, or {@code fallback} when absent. */
    public boolean boolParam(String name, boolean fallback) {
        JsonNode v = param(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid(field(name), name + " must be true or false, got " + describe(v));
        }
        return v.asBoolean();
    }

    /** Whether a parameter was given (and marks it as read). */
    public boolean has(String name) {
        return param(name) != null;
    }

    /**
     * Refuses parameters no task read.
     *
     * @throws ApiException 422 naming the first unknown parameter and the valid ones
     */
    public void finish() {
        for (Iterator<String> it = parameters.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!read.contains(name)) {
                throw ApiException.invalid(
                        field(name), "unknown parameter '" + name + "'; valid: " + String.join(", ", read));
            }
        }
    }

    private JsonNode param(String name) {
        read.add(name);
        JsonNode v = parameters.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static String checkLength(String field, String text, int maxChars) {
        if (text.length() > maxChars) {
            throw ApiException.tooLarge(
                    field, field + " has " + text.length() + " characters; at most " + maxChars + " (max_text_chars)");
        }
        return text;
    }

    static String field(String name) {
        return "parameters." + name;
    }

    private static String describe(JsonNode v) {
        return type(v) + " " + v;
    }

    static String type(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null
                ? "unknown position"
                : "line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
    }
}
