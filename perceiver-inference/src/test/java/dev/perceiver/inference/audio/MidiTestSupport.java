package dev.perceiver.inference.audio;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/** Small helpers to build MIDI tracks in tests. */
final class MidiTestSupport {

    private MidiTestSupport() {}

    static void note(Track track, int channel, int pitch, int velocity, long onTick, long offTick) {
        add(track, ShortMessage.NOTE_ON, channel, pitch, velocity, onTick);
        add(track, ShortMessage.NOTE_OFF, channel, pitch, 0, offTick);
    }

    static void control(Track track, int channel, int number, int value, long tick) {
        add(track, ShortMessage.CONTROL_CHANGE, channel, number, value, tick);
    }

    static void program(Track track, int channel, int program, long tick) {
        add(track, ShortMessage.PROGRAM_CHANGE, channel, program, 0, tick);
    }

    static void add(Track track, int command, int channel, int data1, int data2, long tick) {
        try {
            track.add(new MidiEvent(new ShortMessage(command, channel, data1, data2), tick));
        } catch (InvalidMidiDataException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static void tempo(Track track, int microsPerQuarter, long tick) {
        byte[] data = {(byte) (microsPerQuarter >> 16), (byte) (microsPerQuarter >> 8), (byte) microsPerQuarter};
        try {
            track.add(new MidiEvent(new MetaMessage(0x51, data, 3), tick));
        } catch (InvalidMidiDataException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
