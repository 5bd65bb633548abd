package dev.perceiver.inference.audio;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/**
 * Extracts notes and control changes from a {@link Sequence} with the semantics of the pretty_midi
 * library, which the reference tokenizer was trained with: tempo from track 0 only, notes grouped
 * into instruments by (program, channel, track), one note-off closing every earlier open note of
 * its pitch, and control changes before the first note of an instrument held as "stragglers".
 */
final class MidiScoreReader {

    /** A note with a mutable end (sustain handling moves note ends). */
    static final class Note {
        final int velocity;
        final int pitch;
        final double start;
        double end;

        Note(int velocity, int pitch, double start, double end) {
            this.velocity = velocity;
            this.pitch = pitch;
            this.start = start;
            this.end = end;
        }
    }

    /** A control change at an absolute time. */
    record ControlChange(int number, int value, double time) {}

    /** Notes and control changes of one (program, channel, track). */
    static final class Instrument {
        final int program;
        final int channel;
        final List<Note> notes = new ArrayList<>();
        /** Shared with a straggler instrument when one existed, as pretty_midi does. */
        List<ControlChange> controlChanges = new ArrayList<>();

        Instrument(int program, int channel) {
            this.program = program;
            this.channel = channel;
        }
    }

    private record InstrumentKey(int program, int channel, int track) {}

    private record ChannelKey(int channel, int track) {}

    private MidiScoreReader() {}

    /**
     * Reads the instruments of a sequence.
     *
     * @param sequence the MIDI sequence
     * @return instruments in order of creation, each with notes in order of their note-off
     */
    static List<Instrument> read(Sequence sequence) {
        Track[] tracks = sequence.getTracks();
        if (tracks.length == 0) {
            return List.of();
        }
        TickClock clock = TickClock.fromTrackZero(sequence);
        Map<InstrumentKey, Instrument> instruments = new LinkedHashMap<>();
        Map<ChannelKey, Instrument> stragglers = new HashMap<>();

        for (int t = 0; t < tracks.length; t++) {
            Track track = tracks[t];
            Map<Integer, List<long[]>> open = new HashMap<>();
            int[] program = new int[16];
            for (int i = 0; i < track.size(); i++) {
                MidiEvent event = track.get(i);
                if (!(event.getMessage() instanceof ShortMessage msg)) {
                    continue;
                }
                int command = msg.getCommand();
                int channel = msg.getChannel();
                long tick = event.getTick();
                if (command == ShortMessage.PROGRAM_CHANGE) {
                    program[channel] = msg.getData1();
                } else if (command == ShortMessage.NOTE_ON && msg.getData2() > 0) {
                    open.computeIfAbsent(channel * 128 + msg.getData1(), k -> new ArrayList<>())
                            .add(new long[] {tick, msg.getData2()});
                } else if (command == ShortMessage.NOTE_OFF || command == ShortMessage.NOTE_ON) {
                    int key = channel * 128 + msg.getData1();
                    List<long[]> pending = open.get(key);
                    if (pending == null) {
                        continue;
                    }
                    List<long[]> keep = new ArrayList<>();
                    boolean closed = false;
                    for (long[] on : pending) {
                        if (on[0] == tick) {
                            keep.add(on);
                            continue;
                        }
                        closed = true;
                        Note note = new Note((int) on[1], msg.getData1(), clock.seconds(on[0]), clock.seconds(tick));
                        instrument(instruments, stragglers, program[channel], channel, t, true)
                                .notes
                                .add(note);
                    }
                    if (closed && !keep.isEmpty()) {
                        open.put(key, keep);
                    } else {
                        open.remove(key);
                    }
                } else if (command == ShortMessage.CONTROL_CHANGE) {
                    instrument(instruments, stragglers, program[channel], channel, t, false)
                            .controlChanges
                            .add(new ControlChange(msg.getData1(), msg.getData2(), clock.seconds(tick)));
                }
            }
        }
        return new ArrayList<>(instruments.values());
    }

    private static Instrument instrument(
            Map<InstrumentKey, Instrument> instruments,
            Map<ChannelKey, Instrument> stragglers,
            int program,
            int channel,
            int track,
            boolean createNew) {
        InstrumentKey key = new InstrumentKey(program, channel, track);
        Instrument existing = instruments.get(key);
        if (existing != null) {
            return existing;
        }
        ChannelKey channelKey = new ChannelKey(channel, track);
        Instrument straggler = stragglers.get(channelKey);
        if (!createNew && straggler != null) {
            return straggler;
        }
        Instrument created = new Instrument(program, channel);
        if (createNew) {
            if (straggler != null) {
                created.controlChanges = straggler.controlChanges;
            }
            instruments.put(key, created);
        } else {
            stragglers.put(channelKey, created);
        }
        return created;
    }

    /**
     * Converts ticks to seconds with the tempo changes of track 0, using the same floating-point
     * steps as pretty_midi so that token ids match the reference exactly.
     */
    static final class TickClock {
        private final long[] startTicks;
        private final double[] scales;
        private final double[] startSeconds;

        private TickClock(List<long[]> ticks, List<Double> scaleList) {
            int n = scaleList.size();
            startTicks = new long[n];
            scales = new double[n];
            startSeconds = new double[n];
            double last = 0;
            for (int i = 0; i < n; i++) {
                startTicks[i] = ticks.get(i)[0];
                scales[i] = scaleList.get(i);
                if (i > 0) {
                    last = last + scales[i - 1] * (startTicks[i] - startTicks[i - 1]);
                }
                startSeconds[i] = last;
            }
        }

        static TickClock fromTrackZero(Sequence sequence) {
            List<long[]> ticks = new ArrayList<>();
            List<Double> scales = new ArrayList<>();
            int resolution = sequence.getResolution();
            if (sequence.getDivisionType() != Sequence.PPQ) {
                ticks.add(new long[] {0});
                scales.add(1.0 / (sequence.getDivisionType() * resolution));
                return new TickClock(ticks, scales);
            }
            ticks.add(new long[] {0});
            scales.add(60.0 / (120.0 * resolution));
            Track[] tracks = sequence.getTracks();
            if (tracks.length > 0) {
                Track first = tracks[0];
                for (int i = 0; i < first.size(); i++) {
                    MidiEvent event = first.get(i);
                    if (event.getMessage() instanceof MetaMessage meta
                            && meta.getType() == 0x51
                            && meta.getData().length >= 3) {
                        byte[] d = meta.getData();
                        int tempo = ((d[0] & 0xFF) << 16) | ((d[1] & 0xFF) << 8) | (d[2] & 0xFF);
                        if (tempo <= 0) {
                            continue;
                        }
                        double scale = 60.0 / ((6e7 / tempo) * resolution);
                        if (event.getTick() == 0) {
                            ticks.clear();
                            scales.clear();
                            ticks.add(new long[] {0});
                            scales.add(scale);
                        } else if (scale != scales.get(scales.size() - 1)) {
                            ticks.add(new long[] {event.getTick()});
                            scales.add(scale);
                        }
                    }
                }
            }
            return new TickClock(ticks, scales);
        }

        double seconds(long tick) {
            int i = startTicks.length - 1;
            while (i > 0 && startTicks[i] > tick) {
                i--;
            }
            return startSeconds[i] + scales[i] * (tick - startTicks[i]);
        }
    }
}
