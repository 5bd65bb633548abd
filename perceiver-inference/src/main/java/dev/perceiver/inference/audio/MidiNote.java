package dev.perceiver.inference.audio;

/**
 * A note with absolute times, as read from or written to MIDI.
 *
 * @param pitch MIDI pitch 0..127
 * @param velocity MIDI velocity 0..127
 * @param start onset in seconds
 * @param end offset in seconds
 */
public record MidiNote(int pitch, int velocity, double start, double end) {

    /**
     * Validates pitch and velocity.
     *
     * @param pitch MIDI pitch 0..127
     * @param velocity MIDI velocity 0..127
     * @param start onset in seconds
     * @param end offset in seconds
     * @throws IllegalArgumentException if pitch or velocity is outside 0..127
     */
    public MidiNote {
        if (pitch < 0 || pitch > 127) {
            throw new IllegalArgumentException("pitch " + pitch + " is outside 0..127");
        }
        if (velocity < 0 || velocity > 127) {
            throw new IllegalArgumentException("velocity " + velocity + " is outside 0..127");
        }
    }

    /** @return the duration {@code end - start} in seconds */
    public double duration() {
        return end - start;
    }
}
