package dev.perceiver.inference.audio;

import java.util.Objects;

/**
 * One event of the symbolic-audio vocabulary: an event kind and its value.
 *
 * @param type the event kind
 * @param value the value within the kind's range (pitch, time-shift step or velocity bin)
 */
public record MidiToken(MidiEventType type, int value) {

    /**
     * Validates the value against the kind's range.
     *
     * @param type the event kind
     * @param value the value within the kind's range
     * @throws IllegalArgumentException if {@code value} is outside {@code [0, type.size())}
     */
    public MidiToken {
        Objects.requireNonNull(type, "type");
        if (value < 0 || value >= type.size()) {
            throw new IllegalArgumentException(type + " value " + value + " is outside [0, " + type.size() + ")");
        }
    }

    /**
     * Decodes a token id.
     *
     * @param id a token id in {@code [0, 388)}
     * @return the event it stands for
     * @throws IllegalArgumentException if the id is outside {@code [0, 388)}
     */
    public static MidiToken fromId(int id) {
        MidiEventType type = MidiEventType.ofId(id);
        return new MidiToken(type, id - type.offset());
    }

    /** @return the token id of this event, {@code type.offset() + value} */
    public int id() {
        return type.offset() + value;
    }

    /** @return "TYPE(value)", e.g. {@code NOTE_ON(60)} */
    @Override
    public String toString() {
        return type + "(" + value + ")";
    }
}
