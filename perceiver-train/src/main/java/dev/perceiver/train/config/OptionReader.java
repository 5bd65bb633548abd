package dev.perceiver.train.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of one option section (e.g. {@code data}) of resolved options, with range checks whose messages name
 * the option, its value and the valid range, e.g. {@code data.batch_size (0) must be a positive integer}. The
 * values have the types of their defaults already ({@link OptionTree}); this class checks ranges.
 */
public final class OptionReader {
    private final JsonNode section;
    private final String prefix;

    /**
     * @param section the section's values, e.g. the {@code data} object
     * @param prefix the section's name in messages, e.g. {@code data}
     */
    public OptionReader(JsonNode section, String prefix) {
        this.section = section;
        this.prefix = prefix;
    }

    /** The full dotted name of option {@code name}, e.g. {@code data.batch_size}. */
    public String name(String name) {
        return prefix + "." + name;
    }

    /** Whether the option is null (or absent). */
    public boolean isNull(String name) {
        return section.path(name).isNull() || section.path(name).isMissingNode();
    }

    /** A string option, or null when it is null. */
    public String text(String name) {
        return isNull(name) ? null : section.get(name).asText();
    }

    /** A boolean option, {@code absent} when absent. */
    public boolean bool(String name, boolean absent) {
        return section.path(name).asBoolean(absent);
    }

    /** An integer option in [1, Integer.MAX_VALUE]. */
    public int positiveInt(String name) {
        long v = section.path(name).asLong();
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name(name) + " (" + section.path(name) + ") must be a positive integer");
        }
        return (int) v;
    }

    /** A number option in the open interval (0, 1). */
    public double openUnitFraction(String name) {
        double v = section.path(name).asDouble();
        if (!(v > 0 && v < 1)) {
            throw new IllegalArgumentException(name(name) + " (" + v + ") must be in (0, 1)");
        }
        return v;
    }
}
