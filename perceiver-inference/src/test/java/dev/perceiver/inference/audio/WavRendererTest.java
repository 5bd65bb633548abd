package dev.perceiver.inference.audio;

import static dev.perceiver.inference.audio.MidiTestSupport.note;
import static dev.perceiver.inference.audio.MidiTestSupport.program;
import static dev.perceiver.inference.audio.MidiTestSupport.tempo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.sound.midi.Sequence;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavRendererTest {

    @TempDir
    Path tmp;

    /** A C major chord from 0.5 s to 1.5 s and a melody note; the first half second is silent. */
    private static Sequence chord() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 480);
        Track track = seq.createTrack();
        tempo(track, 500_000, 0); // 960 ticks per second
        program(track, 0, 0, 0);
        note(track, 0, 60, 100, 480, 1440);
        note(track, 0, 64, 90, 480, 1440);
        note(track, 0, 67, 90, 480, 1440);
        note(track, 0, 72, 110, 960, 1440);
        return seq;
    }

    @Test
    void rendersAudibleAudioWithTheExpectedDuration() throws Exception {
        Path wav = tmp.resolve("chord.wav");
        new WavRenderer().withTailSeconds(0.5).render(chord(), wav);
        Pcm pcm = Pcm.read(wav);
        assertThat(pcm.format.getEncoding()).isEqualTo(AudioFormat.Encoding.PCM_SIGNED);
        assertThat(pcm.format.getSampleSizeInBits()).isEqualTo(16);
        assertThat(pcm.format.getSampleRate()).isEqualTo(44_100f);
        assertThat(pcm.format.getChannels()).isEqualTo(2);
        assertThat(pcm.seconds()).isCloseTo(2.0, within(0.02)); // last event at 1.5 s + 0.5 s tail
        assertThat(pcm.rms(0.0, 0.45)).isLessThan(0.001); // nothing sounds before the first note-on
        assertThat(pcm.rms(0.6, 1.4)).isGreaterThan(0.02);
        assertThat(pcm.peak()).isGreaterThan(0.05).isLessThanOrEqualTo(1.0);
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("chord.wav");
        }
    }

    @Test
    void helperJvmRendersMonoAtAnotherRate() throws Exception {
        Path wav = tmp.resolve("sub/mono.wav");
        new WavRenderer()
                .withHelperJvm()
                .withChannels(1)
                .withSampleRate(22_050)
                .withTailSeconds(0.25)
                .render(chord(), wav);
        Pcm pcm = Pcm.read(wav);
        assertThat(pcm.format.getChannels()).isEqualTo(1);
        assertThat(pcm.format.getSampleRate()).isEqualTo(22_050f);
        assertThat(pcm.seconds()).isCloseTo(1.75, within(0.02));
        assertThat(pcm.rms(0.0, 0.45)).isLessThan(0.001);
        assertThat(pcm.rms(0.6, 1.4)).isGreaterThan(0.02);
    }

    @Test
    void inProcessRenderingWhenTheSynthesizerPackageIsExported() throws Exception {
        Assumptions.assumeTrue(
                WavRenderer.inProcessAvailable(),
                "run with --add-exports " + WavRenderer.EXPORT_OPTION + " to test in-process rendering");
        Path wav = tmp.resolve("inprocess.wav");
        try (OutputStream out = Files.newOutputStream(wav)) {
            WavRenderer.renderInProcess(chord(), out, 16_000f, 1, 0.5, null);
        }
        Pcm pcm = Pcm.read(wav);
        assertThat(pcm.seconds()).isCloseTo(2.0, within(0.02));
        assertThat(pcm.rms(0.6, 1.4)).isGreaterThan(0.02);
    }

    @Test
    void rendersDecodedTokensOfTheReferencePrompt() throws Exception {
        Path mid = tmp.resolve("prompt.mid");
        try (InputStream in = WavRendererTest.class.getResourceAsStream("/audio/audio_prompt_1.mid")) {
            assertThat(in).isNotNull();
            Files.copy(in, mid);
        }
        int[] ids = MidiEventCodec.encode(mid);
        Sequence decoded = MidiEventCodec.toSequence(ids);
        double end = MidiEventCodec.decodeNotes(ids).stream()
                .mapToDouble(MidiNote::end)
                .max()
                .orElseThrow();
        assertThat(WavRenderer.durationSeconds(decoded)).isCloseTo(end, within(0.002));

        Path wav = tmp.resolve("prompt.wav");
        new WavRenderer().withChannels(1).withSampleRate(16_000).render(decoded, wav);
        Pcm pcm = Pcm.read(wav);
        assertThat(pcm.seconds()).isCloseTo(end + WavRenderer.DEFAULT_TAIL_SECONDS, within(0.02));
        assertThat(pcm.rms(0.0, 0.9)).isLessThan(0.001); // the prompt's first note starts at 1.0 s
        assertThat(pcm.rms(1.0, end)).isGreaterThan(0.005);
    }

    @Test
    void invalidInputsAreReported() throws Exception {
        Path text = tmp.resolve("bad.mid");
        Files.writeString(text, "not midi", StandardCharsets.UTF_8);
        Path wav = tmp.resolve("bad.wav");
        assertThatThrownBy(() -> new WavRenderer().render(text, wav))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(text.toString());
        Path missingBank = tmp.resolve("missing.sf2");
        assertThatThrownBy(() -> new WavRenderer().withSoundbank(missingBank).render(chord(), wav))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missingBank.toString());
        assertThat(wav).doesNotExist();
        assertThatThrownBy(() -> new WavRenderer().withChannels(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3");
        assertThatThrownBy(() -> new WavRenderer().withSampleRate(10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WavRenderer().withTailSeconds(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Decoded 16-bit PCM samples of a WAV file, normalised to [-1, 1], channels interleaved. */
    private static final class Pcm {
        final AudioFormat format;
        final double[] samples;

        private Pcm(AudioFormat format, double[] samples) {
            this.format = format;
            this.samples = samples;
        }

        static Pcm read(Path wav) throws IOException, UnsupportedAudioFileException {
            try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
                AudioFormat format = in.getFormat();
                byte[] bytes = in.readAllBytes();
                assertThat(bytes.length).isEqualTo(in.getFrameLength() * format.getFrameSize());
                double[] samples = new double[bytes.length / 2];
                for (int i = 0; i < samples.length; i++) {
                    int lo = bytes[2 * i] & 0xFF;
                    int hi = bytes[2 * i + 1];
                    int value =
                            format.isBigEndian() ? ((bytes[2 * i] << 8) | (bytes[2 * i + 1] & 0xFF)) : ((hi << 8) | lo);
                    samples[i] = value / 32768.0;
                }
                return new Pcm(format, samples);
            }
        }

        double seconds() {
            return samples.length / (double) format.getChannels() / format.getSampleRate();
        }

        double rms(double fromSeconds, double toSeconds) {
            int ch = format.getChannels();
            int from = (int) (fromSeconds * format.getSampleRate()) * ch;
            int to = Math.min(samples.length, (int) (toSeconds * format.getSampleRate()) * ch);
            assertThat(to).isGreaterThan(from);
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += samples[i] * samples[i];
            }
            return Math.sqrt(sum / (to - from));
        }

        double peak() {
            double peak = 0;
            for (double s : samples) {
                peak = Math.max(peak, Math.abs(s));
            }
            return peak;
        }
    }
}
