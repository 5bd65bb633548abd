package dev.perceiver.inference.audio;

/**
 * The four event kinds of the symbolic-audio vocabulary and their id ranges.
 *
 * <p>Ids are laid out contiguously: {@code NOTE_ON} 0..127 (pitch), {@code NOTE_OFF} 128..255
 * (pitch), {@code TIME_SHIFT} 256..355 (value {@code v} advances time by {@code (v + 1) * 10} ms)
 * and {@code VELOCITY} 356..387 (value {@code v} sets the velocity of following notes to
 * {@code 4 * v}).
 */
public enum MidiEventType {
    /** Start of a note; value = MIDI pitch 0..127. */
    NOTE_ON(0, 128),
    /** End of a note; value = MIDI pitch 0..127. */
    NOTE_OFF(128, 128),
    /** Advance of time; value {@code v} in 0..99 means {@code (v + 1) * 10} ms. */
    TIME_SHIFT(256, 100),
    /** Velocity change; value = MIDI velocity / 4, 0..31. */
    VELOCITY(356, 32);

    private final int offset;
    private final int size;

    MidiEventType(int offset, int size) {
        this.offset = offset;
        this.size = size;
    }

    /** @return the first token id of this event kind */
    public int offset() {
        return offset;
    }

    /** @return the number of values (and ids) of this event kind */
    public int size() {
        return size;
    }

    /**
     * Looks up the event kind of a token id.
     *
     * @param id a token id in {@code [0, 388)}
     * @return the event kind whose id range contains {@code id}
     * @throws IllegalArgumentException if the id is outside {@code [0, 388)}
     */
    public static MidiEventType ofId(int id) {
        for (MidiEventType type : values()) {
            if (id >= type.offset && id < type.offset + type.size) {
                return type;
            }
        }
        throw new IllegalArgumentException("token id " + id + " is not a MIDI event id: valid event ids are [0, "
                + MidiEventCodec.NUM_EVENT_IDS + ")");
    }
}
