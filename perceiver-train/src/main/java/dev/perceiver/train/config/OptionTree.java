package dev.perceiver.train.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of a command as a tree of defaults (sections {@code model}, {@code data}, {@code optimizer},
 * {@code lr_scheduler}, {@code trainer}, ...) whose leaves are the valid dotted option names, e.g.
 * {@code model.encoder.num_cross_attention_layers}. Values come from config files (YAML or JSON, the reference's
 * layout, including LightningCLI's {@code class_path}/{@code init_args} form) and from {@code --key=value}
 * options; each value is checked against the type of its default. Unknown names fail with the closest valid ones.
 */
public final class OptionTree {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final ObjectNode defaults;
    private final ObjectNode values;
    private final Set<String> explicit = new LinkedHashSet<>();

    /** A tree whose leaves (non-object values, including null and lists) are the valid options. */
    public OptionTree(ObjectNode defaults) {
        this.defaults = defaults.deepCopy();
        this.values = defaults.deepCopy();
    }

    /** The current values (a copy). */
    public ObjectNode values() {
        return values.deepCopy();
    }

    /** Whether an option was set by a file or the command line. */
    public boolean isExplicit(String key) {
        return explicit.contains(key);
    }

    /** All option names, sorted. */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        collectKeys("", defaults, out);
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** Sets one option from its command-line text (YAML scalar or flow list, e.g. {@code 1e-3}, {@code [28,28,1]}). */
    public void set(String key, String text) {
        JsonNode dflt = leafDefault(key);
        JsonNode parsed;
        try {
            parsed = text.isEmpty() ? TextNode.valueOf("") : YAML.readTree(text);
            if (parsed == null || parsed.isMissingNode()) {
                parsed = NullNode.getInstance();
            }
        } catch (IOException e) {
            parsed = TextNode.valueOf(text);
        }
        put(key, coerce(key, dflt, parsed, text));
    }

    /** Applies a config file: YAML (.yaml/.yml) or JSON; its values override the current ones. */
    public void applyFile(Path file) throws IOException {
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IOException(file + ": not a valid YAML/JSON config: " + e.getMessage(), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return;
        }
        if (!tree.isObject()) {
            throw new IllegalArgumentException(file + ": config must be a mapping of sections (model, data, ...)");
        }
        try {
            applyTree("", (ObjectNode) tree);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Applies a tree of values (as read from a config file). */
    public void applyTree(String prefix, ObjectNode tree) {
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            JsonNode d = at(defaults, key);
            if (v.isObject() && v.has("class_path") && (d == null || d.isObject())) {
                applyClassPath(key, (ObjectNode) v);
            } else if (v.isObject() && d != null && d.isObject()) {
                applyTree(key, (ObjectNode) v);
            } else {
                JsonNode dflt = leafDefault(key);
                put(key, coerce(key, dflt, v, v.isTextual() ? v.asText() : v.toString()));
            }
        }
    }

    /** LightningCLI form {@code {class_path: a.b.Name, init_args: {...}}}: the class name goes to {@code name}. */
    private void applyClassPath(String key, ObjectNode v) {
        String cls = v.get("class_path").asText();
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        JsonNode d = at(defaults, key);
        if (d != null && d.has("name")) {
            set(key + ".name", simple);
        }
        JsonNode args = v.get("init_args");
        if (args != null && args.isObject()) {
            applyTree(key, (ObjectNode) args);
        }
    }

    /** The value at a dotted key, or null. */
    public JsonNode get(String key) {
        return at(values, key);
    }

    private void put(String key, JsonNode value) {
        int dot = key.lastIndexOf('.');
        ObjectNode parent = dot < 0 ? values : (ObjectNode) at(values, key.substring(0, dot));
        parent.set(key.substring(dot + 1), value);
        explicit.add(key);
    }

    private JsonNode leafDefault(String key) {
        JsonNode d = at(defaults, key);
        if (d == null) {
            throw new IllegalArgumentException("unknown option --" + key + suggestions(key));
        }
        if (d.isObject()) {
            List<String> inside = keys().stream()
                    .filter(k -> k.startsWith(key + "."))
                    .limit(4)
                    .toList();
            throw new IllegalArgumentException(
                    "--" + key + " is a section, not an option; set its fields, e.g. --" + String.join(", --", inside));
        }
        return d;
    }

    /** Checks {@code value} against the type of {@code dflt} and converts where the text allows it. */
    static JsonNode coerce(String key, JsonNode dflt, JsonNode value, String text) {
        if (value.isNull()) {
            if (dflt.isNull()) {
                return value;
            }
            throw bad(key, text, describe(dflt) + " (this option cannot be null)");
        }
        if (dflt.isNull()) {
            return value.isTextual() ? number(value.asText(), value) : value;
        }
        if (dflt.isBoolean()) {
            if (value.isBoolean()) {
                return value;
            }
            if (value.isTextual()
                    && (value.asText().equalsIgnoreCase("true")
                            || value.asText().equalsIgnoreCase("false"))) {
                return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(value.asText()));
            }
            throw bad(key, text, "true or false");
        }
        if (dflt.isIntegralNumber()) {
            JsonNode n = value.isTextual() ? number(value.asText(), value) : value;
            if (n.isIntegralNumber()
                    || (n.isNumber() && n.asDouble() == Math.rint(n.asDouble()) && !text.contains("."))) {
                return LongNode.valueOf(n.asLong());
            }
            throw bad(key, text, "an integer");
        }
        if (dflt.isNumber()) {
            JsonNode n = value.isTextual() ? number(value.asText(), value) : value;
            if (n.isNumber()) {
                return n.isIntegralNumber() ? n : DoubleNode.valueOf(n.asDouble());
            }
            throw bad(key, text, "a number");
        }
        if (dflt.isTextual()) {
            if (value.isValueNode()) {
                return TextNode.valueOf(value.asText());
            }
            throw bad(key, text, "a string");
        }
        if (dflt.isArray()) {
            if (!value.isArray()) {
                throw bad(key, text, "a list like " + dflt);
            }
            if (dflt.size() > 0 && value.size() != dflt.size()) {
                throw bad(key, text, "a list of " + dflt.size() + " elements like " + dflt);
            }
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < value.size(); i++) {
                JsonNode elemDefault = dflt.size() > 0 ? dflt.get(0) : NullNode.getInstance();
                out.add(coerce(key, elemDefault, value.get(i), value.get(i).asText()));
            }
            return out;
        }
        return value;
    }

    private static JsonNode number(String s, JsonNode orElse) {
        try {
            if (s.matches("[-+]?[0-9]+")) {
                return LongNode.valueOf(Long.parseLong(s));
            }
            return DoubleNode.valueOf(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return orElse;
        }
    }

    private static String describe(JsonNode d) {
        if (d.isBoolean()) {
            return "true or false";
        } else if (d.isIntegralNumber()) {
            return "an integer";
        } else if (d.isNumber()) {
            return "a number";
        } else if (d.isArray()) {
            return "a list";
        }
        return "a string";
    }

    private static IllegalArgumentException bad(String key, String text, String expected) {
        return new IllegalArgumentException("invalid value '" + text + "' for --" + key + ": expected " + expected);
    }

    /** " (did you mean --a, --b?)" for the valid names closest to {@code key}, or "" when none is close. */
    public String suggestions(String key) {
        List<String> all = keys();
        String last = key.substring(key.lastIndexOf('.') + 1);
        List<String> close = all.stream()
                .filter(k -> distance(k, key) <= Math.max(3, key.length() / 4)
                        || k.substring(k.lastIndexOf('.') + 1).equals(last)
                        || (last.length() >= 4
                                && k.substring(k.lastIndexOf('.') + 1).contains(last)))
                .sorted(Comparator.comparingInt(k -> distance(k, key)))
                .limit(5)
                .toList();
        return close.isEmpty() ? "" : " (did you mean --" + String.join(", --", close) + "?)";
    }

    private static JsonNode at(JsonNode root, String key) {
        JsonNode n = root;
        for (String part : key.split("\\.", -1)) {
            if (n == null || !n.isObject() || !n.has(part)) {
                return null;
            }
            n = n.get(part);
        }
        return n;
    }

    private static void collectKeys(String prefix, JsonNode node, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                collectKeys(key, e.getValue(), out);
            } else {
                out.add(key);
            }
        }
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
