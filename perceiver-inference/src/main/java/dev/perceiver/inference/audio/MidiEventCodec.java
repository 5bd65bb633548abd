package dev.perceiver.inference.audio;

import dev.perceiver.inference.audio.MidiScoreReader.ControlChange;
import dev.perceiver.inference.audio.MidiScoreReader.Instrument;
import dev.perceiver.inference.audio.MidiScoreReader.Note;
import dev.perceiver.model.limits.InputLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/**
 * Converts MIDI to and from the event vocabulary of the Perceiver AR symbolic-audio model
 * (the "performance encoding" used by the reference, with 10 ms time resolution).
 *
 * <p>Token ids: {@code NOTE_ON} pitch 0..127, {@code NOTE_OFF} 128 + pitch, {@code TIME_SHIFT}
 * 256 + v ({@code (v + 1) * 10} ms, at most 1 s per token), {@code VELOCITY} 356 + velocity / 4.
 * The model's vocabulary adds {@link #PAD_ID} = 388 for padding ({@link #VOCAB_SIZE} = 389); the
 * event ids are used unshifted as model input ids.
 *
 * <p>{@link #encode(Sequence)} reproduces the reference encoder token for token, including its
 * quirks: notes are read with pretty_midi semantics; a sustain pedal (CC 64 &ge; 64 down, &lt; 64
 * up) extends the notes that start while it is down to the pedal release (or to the next onset of
 * the same pitch). The reference walks an instrument's notes in note-off order and applies a pedal
 * span only when it meets a note starting after the release, so the last span is applied only if
 * such a note exists, and in an instrument that uses the pedal the notes from that note on (in
 * note-off order) are dropped. A velocity token is emitted before a note-on unless the previous
 * event was a note-on whose raw velocity equals this note's velocity bin. {@link #decodeNotes(int[])} likewise follows
 * the reference decoder: a
 * note-off ends the latest note-on of its pitch (zero-length notes are dropped, a repeated note-off
 * ends the same note-on again) and notes before any velocity token get velocity 0.
 *
 * <p>All methods are static and thread-safe.
 */
public final class MidiEventCodec {

    /** Number of event ids (note-on, note-off, time-shift and velocity ids), 388. */
    public static final int NUM_EVENT_IDS = 388;
    /** Padding id of the symbolic-audio model, directly after the event ids. */
    public static final int PAD_ID = NUM_EVENT_IDS;
    /** Vocabulary size of the symbolic-audio model (event ids + padding), 389. */
    public static final int VOCAB_SIZE = NUM_EVENT_IDS + 1;
    /** Separator between examples in the reference's preprocessed training data (not a model id). */
    public static final int EXAMPLE_SEPARATOR_ID = -1;
    /** Duration of one time-shift step in milliseconds. */
    public static final int TIME_STEP_MILLIS = 10;
    /** Velocity bin width: a velocity token stores {@code velocity / 4}. */
    public static final int VELOCITY_BIN_WIDTH = 4;
    /** MIDI control number of the sustain (damper) pedal. */
    public static final int SUSTAIN_CONTROL = 64;
    /** Program used by {@link #toSequence(int[])}: 1 (GM Bright Acoustic Piano), as the reference. */
    public static final int DEFAULT_PROGRAM = 1;
    /** Ticks per quarter note of sequences built by this codec (with 120 bpm: 1 tick = 1 ms). */
    public static final int OUTPUT_RESOLUTION = 500;
    /** Tempo of sequences built by this codec, in microseconds per quarter note (120 bpm). */
    public static final int OUTPUT_TEMPO_MICROS = 500_000;

    private MidiEventCodec() {}

    // ------------------------------------------------------------------------------------------
    // MIDI -> tokens
    // ------------------------------------------------------------------------------------------

    /**
     * Encodes a MIDI file into token ids.
     *
     * @param midiFile a Standard MIDI File
     * @return the event ids, each in {@code [0, 388)}; empty if the file has no notes
     * @throws IOException if the file is missing or not a valid MIDI file (the message names it)
     */
    public static int[] encode(Path midiFile) throws IOException {
        Sequence sequence = MidiFiles.read(midiFile);
        try {
            return encode(sequence);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(midiFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Encodes a MIDI sequence into token ids, exactly as the reference encoder does.
     *
     * @param sequence the sequence (all tracks, channels and programs, drums included)
     * @return the event ids, each in {@code [0, 388)}; empty if the sequence has no notes
     */
    public static int[] encode(Sequence sequence) {
        Objects.requireNonNull(sequence, "sequence");
        List<Note> notes = new ArrayList<>();
        for (Instrument instrument : MidiScoreReader.read(sequence)) {
            List<SustainSpan> spans = sustainSpans(instrument.controlChanges);
            notes.addAll(spans.isEmpty() ? instrument.notes : applySustain(spans, instrument.notes));
        }
        notes.sort(Comparator.comparingDouble(n -> n.start));

        List<Split> splits = new ArrayList<>(notes.size() * 2);
        for (Note note : notes) {
            splits.add(new Split(true, note.start, note.pitch, note.velocity));
            splits.add(new Split(false, note.end, note.pitch, -1));
        }
        splits.sort(Comparator.comparingDouble(Split::time));

        IdBuffer out = new IdBuffer(splits.size() * 2);
        double currentTime = 0;
        int previousVelocity = 0;
        for (Split split : splits) {
            appendTimeShifts(out, currentTime, split.time());
            if (split.on()) {
                int bin = split.velocity() / VELOCITY_BIN_WIDTH;
                if (previousVelocity != bin) {
                    out.add(MidiEventType.VELOCITY.offset() + bin);
                }
                out.add(MidiEventType.NOTE_ON.offset() + split.pitch());
            } else {
                out.add(MidiEventType.NOTE_OFF.offset() + split.pitch());
            }
            currentTime = split.time();
            previousVelocity = split.velocity();
        }
        return out.toArray();
    }

    /** A note-on or note-off at an absolute time; velocity -1 for note-offs. */
    private record Split(boolean on, double time, int pitch, int velocity) {}

    private static void appendTimeShifts(IdBuffer out, double from, double to) {
        double gap = to - from;
        if (!(gap <= InputLimits.MAX_MIDI_GAP_SECONDS)) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "MIDI time gap of %.6g s at %.6g s exceeds the limit of %.0f s",
                    gap,
                    from,
                    InputLimits.MAX_MIDI_GAP_SECONDS));
        }
        int steps = (int) Math.rint(gap * 100);
        int max = MidiEventType.TIME_SHIFT.size();
        while (steps >= max) {
            out.add(MidiEventType.TIME_SHIFT.offset() + max - 1);
            steps -= max;
        }
        if (steps > 0) {
            out.add(MidiEventType.TIME_SHIFT.offset() + steps - 1);
        }
    }

    /** A pedal-down span and the notes starting inside it. */
    private static final class SustainSpan {
        final double start;
        double end;
        final List<Note> managed = new ArrayList<>();

        SustainSpan(double start) {
            this.start = start;
        }

        /** Extends each managed note to the next onset of its pitch in the span, else to the release. */
        void extendNotes() {
            java.util.Map<Integer, Double> nextOnset = new java.util.HashMap<>();
            for (int i = managed.size() - 1; i >= 0; i--) {
                Note note = managed.get(i);
                Double next = nextOnset.get(note.pitch);
                note.end = next != null ? next : Math.max(end, note.end);
                nextOnset.put(note.pitch, note.start);
            }
        }
    }

    private static List<SustainSpan> sustainSpans(List<ControlChange> controlChanges) {
        List<SustainSpan> spans = new ArrayList<>();
        SustainSpan down = null;
        for (ControlChange cc : controlChanges) {
            if (cc.number() != SUSTAIN_CONTROL) {
                continue;
            }
            if (cc.value() >= 64 && down == null) {
                down = new SustainSpan(cc.time());
            } else if (cc.value() < 64 && down != null) {
                down.end = cc.time();
                spans.add(down);
                down = null;
            } else if (cc.value() < 64 && !spans.isEmpty()) {
                spans.get(spans.size() - 1).end = cc.time();
            }
        }
        return spans;
    }

    private static List<Note> applySustain(List<SustainSpan> spans, List<Note> notes) {
        List<Note> stream = new ArrayList<>();
        List<Note> remaining = notes;
        for (SustainSpan span : spans) {
            for (int i = 0; i < remaining.size(); i++) {
                Note note = remaining.get(i);
                if (note.start < span.start) {
                    stream.add(note);
                } else if (note.start > span.end) {
                    remaining = remaining.subList(i, remaining.size());
                    span.extendNotes();
                    break;
                } else {
                    span.managed.add(note);
                }
            }
        }
        for (SustainSpan span : spans) {
            stream.addAll(span.managed);
        }
        stream.sort(Comparator.comparingDouble(n -> n.start));
        return stream;
    }

    // ------------------------------------------------------------------------------------------
    // tokens -> notes / MIDI
    // ------------------------------------------------------------------------------------------

    /**
     * Decodes token ids into notes, as the reference decoder does. {@link #PAD_ID} tokens are
     * skipped.
     *
     * @param ids event ids in {@code [0, 388)}, or {@link #PAD_ID}
     * @return the notes sorted by onset; times are multiples of 10 ms
     * @throws IllegalArgumentException if an id is outside {@code [0, 389)}; the message names the
     *     id and its position
     */
    public static List<MidiNote> decodeNotes(int[] ids) {
        Objects.requireNonNull(ids, "ids");
        long[] copy = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            copy[i] = ids[i];
        }
        return decodeNotes(copy);
    }

    /**
     * Decodes token ids (for example generated by a model as int64) into notes.
     *
     * @param ids event ids in {@code [0, 388)}, or {@link #PAD_ID}
     * @return the notes sorted by onset; times are multiples of 10 ms
     * @throws IllegalArgumentException if an id is outside {@code [0, 389)}
     */
    public static List<MidiNote> decodeNotes(long[] ids) {
        Objects.requireNonNull(ids, "ids");
        long timeSteps = 0;
        int velocity = 0;
        long[] openStart = new long[128];
        int[] openVelocity = new int[128];
        Arrays.fill(openStart, -1);
        List<MidiNote> notes = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (id == PAD_ID) {
                continue;
            }
            if (id < 0 || id >= NUM_EVENT_IDS) {
                throw new IllegalArgumentException("token id " + id + " at position " + i
                        + " is outside the symbolic-audio vocabulary: event ids are [0, " + NUM_EVENT_IDS
                        + "), padding is " + PAD_ID);
            }
            MidiToken token = MidiToken.fromId((int) id);
            int value = token.value();
            switch (token.type()) {
                case TIME_SHIFT -> timeSteps += value + 1;
                case VELOCITY -> velocity = value * VELOCITY_BIN_WIDTH;
                case NOTE_ON -> {
                    openStart[value] = timeSteps;
                    openVelocity[value] = velocity;
                }
                case NOTE_OFF -> {
                    if (openStart[value] >= 0 && openStart[value] != timeSteps) {
                        notes.add(new MidiNote(
                                value, openVelocity[value], seconds(openStart[value]), seconds(timeSteps)));
                    }
                }
                default -> throw new AssertionError(token);
            }
        }
        notes.sort(Comparator.comparingDouble(MidiNote::start));
        return notes;
    }

    private static double seconds(long steps) {
        return steps / 100.0;
    }

    /**
     * Decodes token ids into a MIDI sequence with program {@link #DEFAULT_PROGRAM} on channel 0.
     *
     * @param ids event ids in {@code [0, 388)}, or {@link #PAD_ID}
     * @return a two-track PPQ sequence (tempo track + note track), 1 tick = 1 ms
     * @throws IllegalArgumentException if an id is outside {@code [0, 389)}
     */
    public static Sequence toSequence(int[] ids) {
        return toSequence(decodeNotes(ids), DEFAULT_PROGRAM);
    }

    /**
     * Decodes int64 token ids into a MIDI sequence with program {@link #DEFAULT_PROGRAM}.
     *
     * @param ids event ids in {@code [0, 388)}, or {@link #PAD_ID}
     * @return a two-track PPQ sequence (tempo track + note track), 1 tick = 1 ms
     * @throws IllegalArgumentException if an id is outside {@code [0, 389)}
     */
    public static Sequence toSequence(long[] ids) {
        return toSequence(decodeNotes(ids), DEFAULT_PROGRAM);
    }

    /**
     * Builds a MIDI sequence from notes: track 0 holds the tempo (120 bpm, {@value #OUTPUT_RESOLUTION}
     * ticks per quarter, so 1 tick = 1 ms), track 1 a program change and the notes on channel 0.
     * Note times are rounded to whole milliseconds; a velocity of 0 is written as 1 so the note
     * stays a note (a note-on with velocity 0 would mean note-off). At equal ticks note-offs come
     * before note-ons.
     *
     * @param notes the notes (any order)
     * @param program GM program number 0..127
     * @return the sequence
     * @throws IllegalArgumentException if the program is outside 0..127 or a note ends before it
     *     starts or starts before 0
     */
    public static Sequence toSequence(List<MidiNote> notes, int program) {
        Objects.requireNonNull(notes, "notes");
        if (program < 0 || program > 127) {
            throw new IllegalArgumentException("program " + program + " is outside 0..127");
        }
        try {
            Sequence sequence = new Sequence(Sequence.PPQ, OUTPUT_RESOLUTION);
            Track tempoTrack = sequence.createTrack();
            byte[] tempo = {
                (byte) (OUTPUT_TEMPO_MICROS >> 16), (byte) (OUTPUT_TEMPO_MICROS >> 8), (byte) OUTPUT_TEMPO_MICROS
            };
            tempoTrack.add(new MidiEvent(new MetaMessage(0x51, tempo, 3), 0));

            Track track = sequence.createTrack();
            track.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, 0, program, 0), 0));
            List<long[]> events = new ArrayList<>(notes.size() * 2); // tick, kind (0 off, 1 on), pitch, velocity
            for (MidiNote note : notes) {
                long on = Math.round(note.start() * 1000);
                long off = Math.round(note.end() * 1000);
                if (on < 0 || off < on) {
                    throw new IllegalArgumentException("note " + note + " has invalid times");
                }
                events.add(new long[] {on, 1, note.pitch(), Math.max(1, note.velocity())});
                events.add(new long[] {off, 0, note.pitch(), 0});
            }
            events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
            for (long[] e : events) {
                int command = e[1] == 1 ? ShortMessage.NOTE_ON : ShortMessage.NOTE_OFF;
                track.add(new MidiEvent(new ShortMessage(command, 0, (int) e[2], (int) e[3]), e[0]));
            }
            return sequence;
        } catch (InvalidMidiDataException e) {
            throw new IllegalStateException("building a MIDI message failed", e);
        }
    }

    /**
     * Decodes token ids and writes them as a Standard MIDI File (atomically).
     *
     * @param ids event ids in {@code [0, 388)}, or {@link #PAD_ID}
     * @param midiFile the target file; parent directories are created
     * @throws IllegalArgumentException if an id is outside {@code [0, 389)}
     * @throws IOException if writing fails
     */
    public static void writeMidi(int[] ids, Path midiFile) throws IOException {
        MidiFiles.write(toSequence(ids), midiFile);
    }

    /**
     * Reads the notes of a sequence with pretty_midi semantics (no sustain pedal applied).
     *
     * @param sequence the sequence
     * @return all notes of all instruments, sorted by onset (stable)
     */
    public static List<MidiNote> notes(Sequence sequence) {
        List<MidiNote> out = new ArrayList<>();
        for (Instrument instrument : MidiScoreReader.read(sequence)) {
            for (Note note : instrument.notes) {
                out.add(new MidiNote(note.pitch, note.velocity, note.start, note.end));
            }
        }
        out.sort(Comparator.comparingDouble(MidiNote::start));
        return Collections.unmodifiableList(out);
    }

    /**
     * Describes token ids as events, for debugging.
     *
     * @param ids event ids in {@code [0, 388)}
     * @return one event per id
     * @throws IllegalArgumentException if an id is outside {@code [0, 388)}
     */
    public static List<MidiToken> toEvents(int[] ids) {
        List<MidiToken> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(MidiToken.fromId(id));
        }
        return out;
    }

    /** Growable int array. */
    private static final class IdBuffer {
        private int[] data;
        private int size;

        IdBuffer(int capacity) {
            data = new int[Math.max(16, capacity)];
        }

        void add(int value) {
            if (size == data.length) {
                if (size >= InputLimits.MAX_MIDI_TOKENS) {
                    throw new IllegalArgumentException(
                            "MIDI file encodes to more than the limit of " + InputLimits.MAX_MIDI_TOKENS + " tokens");
                }
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
