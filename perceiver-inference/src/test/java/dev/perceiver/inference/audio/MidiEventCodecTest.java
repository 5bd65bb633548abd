package dev.perceiver.inference.audio;

import static dev.perceiver.inference.audio.MidiTestSupport.control;
import static dev.perceiver.inference.audio.MidiTestSupport.note;
import static dev.perceiver.inference.audio.MidiTestSupport.program;
import static dev.perceiver.inference.audio.MidiTestSupport.tempo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sound.midi.Sequence;
import javax.sound.midi.Track;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MidiEventCodecTest {

    @TempDir
    Path tmp;

    @Test
    void vocabularyLayoutMatchesReference() {
        assertThat(MidiEventType.NOTE_ON.offset()).isZero();
        assertThat(MidiEventType.NOTE_OFF.offset()).isEqualTo(128);
        assertThat(MidiEventType.TIME_SHIFT.offset()).isEqualTo(256);
        assertThat(MidiEventType.VELOCITY.offset()).isEqualTo(356);
        assertThat(MidiEventType.VELOCITY.offset() + MidiEventType.VELOCITY.size())
                .isEqualTo(388);
        assertThat(MidiEventCodec.PAD_ID).isEqualTo(388);
        assertThat(MidiEventCodec.VOCAB_SIZE).isEqualTo(389);
        for (int id = 0; id < 388; id++) {
            assertThat(MidiToken.fromId(id).id()).isEqualTo(id);
        }
        assertThat(MidiToken.fromId(60)).isEqualTo(new MidiToken(MidiEventType.NOTE_ON, 60));
        assertThat(MidiToken.fromId(128 + 60)).isEqualTo(new MidiToken(MidiEventType.NOTE_OFF, 60));
        assertThat(MidiToken.fromId(355)).isEqualTo(new MidiToken(MidiEventType.TIME_SHIFT, 99));
        assertThat(MidiToken.fromId(387)).isEqualTo(new MidiToken(MidiEventType.VELOCITY, 31));
        assertThatThrownBy(() -> MidiToken.fromId(388))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("388");
        assertThatThrownBy(() -> new MidiToken(MidiEventType.VELOCITY, 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32");
    }

    /**
     * Overlapping notes, several velocities, a sustain pedal, a tempo change on the conductor track
     * and a gap longer than one second survive MIDI file -> tokens -> MIDI file.
     */
    @Test
    void roundTripThroughFilesKeepsNotesOnTheTenMillisecondGrid() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 480);
        Track conductor = seq.createTrack();
        tempo(conductor, 480_000, 0); // 480 ticks per 0.48 s: 1 tick = 1 ms
        tempo(conductor, 240_000, 3000); // from 3 s on: 1 tick = 0.5 ms
        Track piano = seq.createTrack();
        program(piano, 0, 0, 0);
        note(piano, 0, 60, 100, t(0), t(500));
        note(piano, 0, 64, 80, t(250), t(750));
        note(piano, 0, 67, 40, t(500), t(1000));
        control(piano, 0, 64, 127, t(1100));
        note(piano, 0, 69, 120, t(1200), t(1400));
        note(piano, 0, 72, 64, t(1300), t(1350));
        note(piano, 0, 69, 120, t(1600), t(1700));
        control(piano, 0, 64, 0, t(2000));
        // the reference applies a pedal span when the first later onset shows up and drops the notes
        // from there on (of this instrument); this note is therefore not encoded
        note(piano, 0, 71, 30, t(2200), t(2300));
        // an instrument without pedal on another channel keeps all its notes
        program(piano, 1, 0, 0);
        note(piano, 1, 74, 90, t(2500), t(2530));
        note(piano, 1, 76, 70, t(3500), t(3800));
        note(piano, 1, 79, 50, t(5200), t(5300));

        Path source = tmp.resolve("source.mid");
        MidiFiles.write(seq, source);
        int[] ids = MidiEventCodec.encode(source);

        assertThat(Arrays.stream(ids).boxed()).allSatisfy(id -> assertThat(id).isBetween(0, 387));
        // the beginning, event by event: velocity bins are velocity / 4, time shifts (v + 1) * 10 ms
        assertThat(MidiEventCodec.toEvents(Arrays.copyOf(ids, 9)))
                .containsExactly(
                        tok(MidiEventType.VELOCITY, 25),
                        tok(MidiEventType.NOTE_ON, 60),
                        tok(MidiEventType.TIME_SHIFT, 24),
                        tok(MidiEventType.VELOCITY, 20),
                        tok(MidiEventType.NOTE_ON, 64),
                        tok(MidiEventType.TIME_SHIFT, 24),
                        tok(MidiEventType.NOTE_OFF, 60),
                        tok(MidiEventType.VELOCITY, 10),
                        tok(MidiEventType.NOTE_ON, 67));
        // the 1.4 s gap before the last note is one full 1 s shift and one of 0.4 s
        int last = ids.length;
        assertThat(Arrays.copyOfRange(ids, last - 7, last))
                .containsExactly(128 + 76, 256 + 99, 256 + 39, 356 + 12, 79, 256 + 9, 128 + 79);

        List<MidiNote> expected = List.of(
                new MidiNote(60, 100, 0.00, 0.50),
                new MidiNote(64, 80, 0.25, 0.75),
                new MidiNote(67, 40, 0.50, 1.00),
                new MidiNote(69, 120, 1.20, 1.60), // sustained until the same pitch is struck again
                new MidiNote(72, 64, 1.30, 2.00), // sustained until the pedal is released
                new MidiNote(69, 120, 1.60, 2.00),
                new MidiNote(74, 88, 2.50, 2.53),
                new MidiNote(76, 68, 3.50, 3.80),
                new MidiNote(79, 48, 5.20, 5.30));
        assertNotes(MidiEventCodec.decodeNotes(ids), expected);

        Path decoded = tmp.resolve("out/decoded.mid");
        MidiEventCodec.writeMidi(ids, decoded);
        Sequence back = MidiFiles.read(decoded);
        assertNotes(MidiEventCodec.notes(back), expected);
        // the decoded file encodes to the same tokens again
        assertThat(MidiEventCodec.encode(back)).containsExactly(ids);
    }

    /** Converts milliseconds to ticks of the sequence in the round-trip test. */
    private static long t(long ms) {
        return ms <= 3000 ? ms : 3000 + (ms - 3000) * 2;
    }

    @Test
    void offGridTimesAreQuantisedToTenMilliseconds() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 1000); // 120 bpm default tempo: 2000 ticks per second
        Track track = seq.createTrack();
        note(track, 0, 50, 64, 246, 912); // 0.123 s .. 0.456 s
        note(track, 0, 52, 64, 1574, 2000); // 0.787 s .. 1.0 s
        List<MidiNote> notes = MidiEventCodec.decodeNotes(MidiEventCodec.encode(seq));
        assertThat(notes).hasSize(2);
        assertThat(notes.get(0).start()).isCloseTo(0.123, within(0.0051));
        assertThat(notes.get(0).end()).isCloseTo(0.456, within(0.0101));
        assertThat(notes.get(1).start()).isCloseTo(0.787, within(0.0101));
        assertThat(notes.get(1).end()).isCloseTo(1.0, within(0.0101));
        for (MidiNote n : notes) {
            assertThat(n.start() * 100).isCloseTo(Math.rint(n.start() * 100), within(1e-9));
            assertThat(n.end() * 100).isCloseTo(Math.rint(n.end() * 100), within(1e-9));
        }
    }

    @Test
    void notesOfSeveralTracksAndChannelsAreMerged() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 500);
        Track a = seq.createTrack();
        Track b = seq.createTrack();
        note(a, 0, 40, 100, 0, 1000);
        note(b, 9, 36, 100, 500, 600); // drums are encoded too, as in the reference
        note(b, 3, 70, 100, 250, 400);
        List<MidiNote> notes = MidiEventCodec.decodeNotes(MidiEventCodec.encode(seq));
        assertThat(notes).extracting(MidiNote::pitch).containsExactly(40, 70, 36);
        assertThat(notes.get(2).start()).isCloseTo(0.5, within(1e-9));
    }

    /** The reference compares the previous raw velocity with the new bin; this test pins that. */
    @Test
    void velocityTokenIsOmittedWhenPreviousRawVelocityEqualsTheNewBin() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 500);
        Track track = seq.createTrack();
        note(track, 0, 60, 20, 0, 1000);
        note(track, 0, 62, 80, 0, 1000); // bin 20 == previous raw velocity 20
        int[] ids = MidiEventCodec.encode(seq);
        assertThat(ids).startsWith(356 + 5, 60, 62);
        assertThat(MidiEventCodec.decodeNotes(ids))
                .extracting(MidiNote::velocity)
                .containsExactly(20, 20);
    }

    /**
     * The reference only applies a pedal span once a later note of the same instrument starts
     * after its release, and drops the notes from that onset on.
     */
    @Test
    void pedalWithoutLaterOnsetDoesNotExtendNotes() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 500);
        Track track = seq.createTrack();
        control(track, 0, 64, 100, 100);
        note(track, 0, 60, 64, 200, 300);
        control(track, 0, 64, 10, 2000);
        assertThat(MidiEventCodec.decodeNotes(MidiEventCodec.encode(seq)))
                .containsExactly(new MidiNote(60, 64, 0.2, 0.3));

        note(track, 0, 65, 64, 2500, 2600);
        List<MidiNote> extended = MidiEventCodec.decodeNotes(MidiEventCodec.encode(seq));
        // the later note triggers the extension and is itself dropped (reference behaviour)
        assertThat(extended).containsExactly(new MidiNote(60, 64, 0.2, 2.0));
    }

    @Test
    void referencePromptEncodesToTheReferenceLength() throws Exception {
        Path prompt = copyResource("/audio/audio_prompt_1.mid");
        int[] ids = MidiEventCodec.encode(prompt);
        // tests/symbolic_audio_model_pipeline_test.py of the reference: PROMPT_LENGTH = 254
        assertThat(ids).hasSize(254);
        assertThat(Arrays.stream(ids).boxed()).allSatisfy(id -> assertThat(id).isBetween(0, 387));
        assertThat(ids[0]).isEqualTo(256 + 99); // first note starts at 1.0 s
        long noteOns = Arrays.stream(ids).filter(id -> id < 128).count();
        long noteOffs = Arrays.stream(ids).filter(id -> id >= 128 && id < 256).count();
        assertThat(noteOns).isEqualTo(noteOffs).isEqualTo(60);
        assertThat(Arrays.stream(ids).filter(id -> id < 128))
                .allSatisfy(p -> assertThat(p).isBetween(21, 108));

        List<MidiNote> source = MidiEventCodec.notes(MidiFiles.read(prompt));
        List<MidiNote> decoded = MidiEventCodec.decodeNotes(ids);
        assertThat(decoded).hasSize(source.size());
        assertThat(decoded.stream().map(MidiNote::pitch).sorted().collect(Collectors.toList()))
                .isEqualTo(source.stream().map(MidiNote::pitch).sorted().collect(Collectors.toList()));
        double lastEnd = decoded.stream().mapToDouble(MidiNote::end).max().orElseThrow();
        double sourceEnd = source.stream().mapToDouble(MidiNote::end).max().orElseThrow();
        assertThat(lastEnd).isCloseTo(sourceEnd, within(0.05));
        // decode -> encode is stable
        assertThat(MidiEventCodec.encode(MidiEventCodec.toSequence(ids))).containsExactly(ids);
    }

    @Test
    void paddingIsSkippedAndInvalidIdsAreRejected() {
        int[] ids = {388, 356 + 16, 60, 256 + 49, 128 + 60, 388};
        assertThat(MidiEventCodec.decodeNotes(ids)).containsExactly(new MidiNote(60, 64, 0.0, 0.5));
        assertThat(MidiEventCodec.decodeNotes(new long[] {60, 256, 188})).hasSize(1);
        assertThatThrownBy(() -> MidiEventCodec.decodeNotes(new int[] {60, 389}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("389")
                .hasMessageContaining("position 1");
        assertThatThrownBy(() -> MidiEventCodec.toSequence(new long[] {-1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> MidiEventCodec.writeMidi(new int[] {1000}, tmp.resolve("x.mid")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1000");
        assertThat(tmp.resolve("x.mid")).doesNotExist();
    }

    @Test
    void decoderFollowsReferenceForUnmatchedAndZeroLengthNotes() {
        // note-off without note-on: ignored; zero-length note: dropped; no velocity yet: velocity 0
        int[] ids = {128 + 50, 61, 128 + 61, 62, 256 + 9, 128 + 62};
        assertThat(MidiEventCodec.decodeNotes(ids)).containsExactly(new MidiNote(62, 0, 0.0, 0.1));
        // a velocity-0 note is written with velocity 1 so that it stays a note in the MIDI file
        Sequence seq = MidiEventCodec.toSequence(ids);
        assertThat(MidiEventCodec.notes(seq)).containsExactly(new MidiNote(62, 1, 0.0, 0.1));
    }

    @Test
    void emptyInputGivesEmptyOutput() throws Exception {
        assertThat(MidiEventCodec.encode(new Sequence(Sequence.PPQ, 96))).isEmpty();
        assertThat(MidiEventCodec.decodeNotes(new int[0])).isEmpty();
        Path empty = tmp.resolve("empty.mid");
        MidiEventCodec.writeMidi(new int[0], empty);
        assertThat(MidiEventCodec.encode(empty)).isEmpty();
    }

    @Test
    void nonMidiFileIsRejectedWithItsName() throws IOException {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "this is not a MIDI file", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> MidiEventCodec.encode(text))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(text.toString())
                .hasMessageContaining("not a valid");
        Path missing = tmp.resolve("missing.mid");
        assertThatThrownBy(() -> MidiEventCodec.encode(missing))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void writingReplacesTheTargetAtomicallyWithoutLeftovers() throws Exception {
        Path target = tmp.resolve("song.mid");
        Files.writeString(target, "old content");
        MidiEventCodec.writeMidi(new int[] {356 + 20, 60, 256 + 99, 128 + 60}, target);
        assertThat(MidiEventCodec.decodeNotes(MidiEventCodec.encode(target)))
                .containsExactly(new MidiNote(60, 80, 0.0, 1.0));
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("song.mid");
        }
    }

    private static MidiToken tok(MidiEventType type, int value) {
        return new MidiToken(type, value);
    }

    private static void assertNotes(List<MidiNote> actual, List<MidiNote> expected) {
        assertThat(actual).hasSize(expected.size());
        List<String> a = new ArrayList<>();
        List<String> e = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            a.add(describe(actual.get(i)));
            e.add(describe(expected.get(i)));
        }
        assertThat(a).isEqualTo(e);
    }

    private static String describe(MidiNote n) {
        return String.format("%d v%d %.4f-%.4f", n.pitch(), n.velocity(), n.start(), n.end());
    }

    private Path copyResource(String name) throws IOException {
        Path target = tmp.resolve(Path.of(name).getFileName().toString());
        try (InputStream in = MidiEventCodecTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource " + name).isNotNull();
            Files.copy(in, target);
        }
        return target;
    }
}
