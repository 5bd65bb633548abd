package dev.perceiver.inference.audio;

import static dev.perceiver.inference.audio.MidiTestSupport.note;
import static dev.perceiver.inference.audio.MidiTestSupport.program;
import static dev.perceiver.inference.audio.MidiTestSupport.tempo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.tasks.audio.SymbolicAudioModel;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sound.midi.Sequence;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: a small random symbolic audio model saved as a model folder, a MIDI prompt written here. */
class SymbolicAudioPipelineTest {
    private static final int MAX_SEQ_LEN = 64;
    private static final int MAX_LATENTS = 16;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static SymbolicAudioPipeline pipeline;

    static PerceiverARConfig config(int vocabSize) {
        return PerceiverARConfig.builder()
                .numHeads(4)
                .numSelfAttentionLayers(1)
                .vocabSize(vocabSize)
                .maxSeqLen(MAX_SEQ_LEN)
                .maxLatents(MAX_LATENTS)
                .numChannels(32)
                .outputNorm(true)
                .outputBias(false)
                .absPosEmb(false)
                .build();
    }

    @BeforeAll
    static void saveAndLoadModel() throws IOException {
        Path dir = shared.resolve("model");
        try (NDManager init = NDManager.newBaseManager()) {
            ModelFolder.save(new SymbolicAudioModel(init, config(MidiEventCodec.VOCAB_SIZE)), dir, Map.of());
        }
        pipeline = SymbolicAudioPipeline.load(dir);
        assertThat(pipeline.model().isTraining()).isFalse();
    }

    @AfterAll
    static void close() {
        pipeline.close();
        assertThat(pipeline.model().manager().isOpen()).isFalse();
    }

    /** A rising line of {@code count} notes, 0.25 s apart, 0.2 s long, velocity 80, after 0.1 s of silence. */
    static Path writePrompt(Path file, int count) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 480);
        Track track = seq.createTrack();
        tempo(track, 500_000, 0); // 960 ticks per second
        program(track, 0, 0, 0);
        for (int i = 0; i < count; i++) {
            long on = 96 + i * 240L;
            note(track, 0, 48 + (i * 5) % 36, 80, on, on + 192);
        }
        MidiFiles.write(seq, file);
        return file;
    }

    @Test
    void continuesThePromptAndWritesMidiAndWav() throws Exception {
        Path prompt = writePrompt(tmp.resolve("prompt.mid"), 8);
        Path out = tmp.resolve("out/continued.mid");
        Path wav = tmp.resolve("out/continued.wav");
        SymbolicAudioOptions options =
                SymbolicAudioOptions.defaults().withMaxNewTokens(24).withSeed(7L);

        SymbolicAudioResult result = pipeline.generate(prompt, out, wav, options, null);

        int[] promptTokens = MidiEventCodec.encode(prompt);
        assertThat(result.promptTokens()).containsExactly(promptTokens);
        assertThat(result.promptFileTokens()).isEqualTo(promptTokens.length);
        assertThat(result.generatedTokens()).hasSize(24);
        assertThat(Arrays.stream(result.generatedTokens()))
                .allSatisfy(id -> assertThat(id).isBetween(0, 388));
        assertThat(result.numLatents()).isEqualTo(1);
        assertThat(result.seed()).isEqualTo(7L);
        assertThat(result.includesPrompt()).isTrue();
        assertThat(result.outputTokens()).hasSize(promptTokens.length + 24);
        assertThat(result.midiFile()).isEqualTo(out);
        assertThat(result.wavFile()).isEqualTo(wav);

        List<MidiNote> promptNotes = MidiEventCodec.notes(MidiFiles.read(prompt));
        List<MidiNote> written = MidiEventCodec.notes(MidiFiles.read(out));
        assertThat(promptNotes).hasSize(8);
        assertThat(written).hasSize(result.numNotes()).hasSizeGreaterThanOrEqualTo(8);
        for (MidiNote p : promptNotes) {
            assertThat(written).as("written notes contain %s", p).anySatisfy(w -> {
                assertThat(w.pitch()).isEqualTo(p.pitch());
                assertThat(w.velocity()).isEqualTo(p.velocity());
                assertThat(w.start()).isCloseTo(p.start(), within(0.011));
                assertThat(w.end()).isCloseTo(p.end(), within(0.011));
            });
        }
        double promptEnd = promptNotes.get(7).end();
        assertThat(result.durationSeconds())
                .isGreaterThanOrEqualTo(promptEnd - 0.011)
                .isLessThanOrEqualTo(promptEnd + 24 * 1.0 + 0.011); // a token shifts time by at most 1 s

        double[] rms = rmsPerSecond(wav);
        assertThat(result.wavSeconds())
                .isCloseTo(result.durationSeconds() + WavRenderer.DEFAULT_TAIL_SECONDS, within(0.02));
        assertThat(rms.length).isGreaterThanOrEqualTo(2);
        assertThat(rms[0]).as("RMS of the first second (prompt notes)").isGreaterThan(0.005);
        assertThat(rms[1]).as("RMS of the second second (prompt notes)").isGreaterThan(0.005);
        try (var files = Files.list(out.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("continued.mid", "continued.wav");
        }
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        Path prompt = writePrompt(tmp.resolve("prompt.mid"), 6);
        SymbolicAudioOptions options =
                SymbolicAudioOptions.defaults().withMaxNewTokens(16).withSeed(11L);
        SymbolicAudioResult a = pipeline.generate(prompt, tmp.resolve("a.mid"), null, options, null);
        SymbolicAudioResult b = pipeline.generate(prompt, tmp.resolve("b.mid"), null, options, null);
        SymbolicAudioResult c = pipeline.generate(prompt, tmp.resolve("c.mid"), null, options.withSeed(12L), null);
        assertThat(a.generatedTokens()).containsExactly(b.generatedTokens());
        assertThat(Files.readAllBytes(tmp.resolve("a.mid"))).isEqualTo(Files.readAllBytes(tmp.resolve("b.mid")));
        assertThat(c.generatedTokens()).isNotEqualTo(a.generatedTokens());
        assertThat(a.wavFile()).isNull();
        assertThat(a.wavSeconds()).isNull();
        assertThat(tmp.resolve("a.wav")).doesNotExist();
    }

    @Test
    void greedyGenerationIgnoresTheSeedAndMatchesWithoutCache() throws Exception {
        int[] prompt = MidiEventCodec.encode(writePrompt(tmp.resolve("prompt.mid"), 5));
        SymbolicAudioOptions greedy =
                SymbolicAudioOptions.defaults().withGreedy().withMaxNewTokens(12);
        int[] a = pipeline.continueTokens(prompt, greedy.withSeed(1L), null).generatedTokens();
        int[] b = pipeline.continueTokens(prompt, greedy.withSeed(2L).withCache(false), null)
                .generatedTokens();
        assertThat(a).hasSize(12).containsExactly(b);
    }

    @Test
    void continuationOnlyWritesTheGeneratedNotes() throws Exception {
        Path prompt = writePrompt(tmp.resolve("prompt.mid"), 6);
        Path out = tmp.resolve("only.mid");
        SymbolicAudioResult r = pipeline.generate(
                prompt,
                out,
                null,
                SymbolicAudioOptions.defaults()
                        .withMaxNewTokens(40)
                        .withSeed(3L)
                        .withIncludePrompt(false),
                null);
        assertThat(r.includesPrompt()).isFalse();
        assertThat(r.outputTokens()).containsExactly(r.generatedTokens());
        List<MidiNote> expected = MidiEventCodec.decodeNotes(r.generatedTokens());
        assertThat(r.numNotes()).isEqualTo(expected.size());
        assertThat(MidiEventCodec.notes(MidiFiles.read(out))).hasSize(expected.size());
    }

    @Test
    void longPromptsKeepTheirFirstMaxSeqLenTokensAndGetEnoughLatents() throws Exception {
        Path prompt = writePrompt(tmp.resolve("long.mid"), 30);
        int[] all = MidiEventCodec.encode(prompt);
        assertThat(all.length).isGreaterThan(MAX_SEQ_LEN);
        SymbolicAudioOptions options =
                SymbolicAudioOptions.defaults().withMaxNewTokens(4).withSeed(5L);

        SymbolicAudioResult r = pipeline.generate(prompt, tmp.resolve("long-out.mid"), null, options, null);
        assertThat(r.promptFileTokens()).isEqualTo(all.length);
        assertThat(r.promptTokens()).containsExactly(Arrays.copyOf(all, MAX_SEQ_LEN));
        assertThat(r.numLatents()).isEqualTo(MAX_LATENTS); // prefix may hold at most 64 - 16 tokens
        assertThat(r.generatedTokens()).hasSize(4);

        SymbolicAudioPipeline.Continuation shorter =
                pipeline.continueTokens(all, options.withMaxPromptLength(10), null);
        assertThat(shorter.promptTokens()).containsExactly(Arrays.copyOf(all, 10));
        assertThat(shorter.numLatents()).isEqualTo(1);

        assertThatThrownBy(() -> pipeline.continueTokens(all, options.withNumLatents(1), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_latents")
                .hasMessageContaining("[16..16]");
        assertThatThrownBy(() -> pipeline.continueTokens(all, options.withMaxPromptLength(65), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_prompt_length (65) must be <= max_seq_len (64)");
    }

    @Test
    void badPromptFilesAreReportedWithTheirName() throws Exception {
        Path missing = tmp.resolve("missing.mid");
        assertThatThrownBy(() ->
                        pipeline.generate(missing, tmp.resolve("o.mid"), null, SymbolicAudioOptions.defaults(), null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString());

        Path text = Files.writeString(tmp.resolve("notmidi.mid"), "this is not a MIDI file");
        assertThatThrownBy(() ->
                        pipeline.generate(text, tmp.resolve("o.mid"), null, SymbolicAudioOptions.defaults(), null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(text.toString())
                .hasMessageContaining("not a valid Standard MIDI File");

        Path silent = writePrompt(tmp.resolve("silent.mid"), 0);
        assertThatThrownBy(() ->
                        pipeline.generate(silent, tmp.resolve("o.mid"), null, SymbolicAudioOptions.defaults(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(silent.toString())
                .hasMessageContaining("no notes");

        Path prompt = writePrompt(tmp.resolve("prompt.mid"), 3);
        Path same = tmp.resolve("same");
        assertThatThrownBy(() -> pipeline.generate(prompt, same, same, SymbolicAudioOptions.defaults(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must differ");
        assertThat(tmp.resolve("o.mid")).doesNotExist();
    }

    @Test
    void badOptionsNameTheOptionValueAndRange() throws Exception {
        SymbolicAudioOptions d = SymbolicAudioOptions.defaults();
        assertThatThrownBy(() -> d.withMaxNewTokens(0)).hasMessageContaining("max_new_tokens (0) must be >= 1");
        assertThatThrownBy(() -> d.withSampling(1.0, 0, 1.5)).hasMessageContaining("top_p (1.5) must be in (0, 1]");
        assertThatThrownBy(() -> d.withSampling(0.0, 0, 0.9)).hasMessageContaining("temperature (0.0)");
        assertThatThrownBy(() -> d.withSampling(1.0, -1, 0.9)).hasMessageContaining("top_k (-1) must be >= 0");
        assertThatThrownBy(() -> d.withNumLatents(0)).hasMessageContaining("num_latents (0) must be >= 1");
        assertThatThrownBy(() -> d.withMaxPromptLength(0)).hasMessageContaining("max_prompt_length (0) must be >= 1");

        int[] prompt = MidiEventCodec.encode(writePrompt(tmp.resolve("prompt.mid"), 3));
        assertThatThrownBy(() -> pipeline.continueTokens(prompt, d.withNumLatents(17), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_latents=17")
                .hasMessageContaining("[1..16]");
        assertThatThrownBy(() -> pipeline.continueTokens(new int[] {60, 389}, d, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt token 389 at position 1");
        assertThatThrownBy(() -> pipeline.continueTokens(new int[0], d, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 tokens");
    }

    @Test
    void otherModelsAreRejected() throws Exception {
        Path dir = tmp.resolve("clm");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelFolder.save(new CausalLanguageModel(m, config(MidiEventCodec.VOCAB_SIZE)), dir, Map.of());
            assertThatThrownBy(() -> SymbolicAudioPipeline.loadModel(dir, m))
                    .isInstanceOf(WrongModelKindException.class)
                    .hasMessage("model folder " + dir + " holds a text-generation model (model_type "
                            + "perceiver-ar-causal-language-model); a symbolic-audio-generation model (model_type "
                            + "perceiver-ar-symbolic-audio-model) is needed");
            assertThatThrownBy(() -> SymbolicAudioPipeline.load(dir)).isInstanceOf(WrongModelKindException.class);
            assertThatThrownBy(() -> new SymbolicAudioPipeline(new SymbolicAudioModel(m, config(262))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("vocab_size (262)");
        }
    }

    @Test
    void generationLeavesNoArraysBehind() throws Exception {
        int[] prompt = MidiEventCodec.encode(writePrompt(tmp.resolve("prompt.mid"), 4));
        SymbolicAudioOptions options =
                SymbolicAudioOptions.defaults().withMaxNewTokens(8).withSeed(1L);
        pipeline.continueTokens(prompt, options, null);
        int before = pipeline.model().manager().getManagedArrays().size();
        for (int i = 0; i < 5; i++) {
            pipeline.continueTokens(prompt, options, null);
        }
        assertThat(pipeline.model().manager().getManagedArrays().size()).isEqualTo(before);
    }

    /** RMS of each whole second of a 16-bit PCM WAV file (all channels). */
    private static double[] rmsPerSecond(Path wav) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            AudioFormat f = in.getFormat();
            assertThat(f.getSampleSizeInBits()).isEqualTo(16);
            byte[] bytes = in.readAllBytes();
            int perSecond = (int) f.getSampleRate() * f.getChannels();
            int samples = bytes.length / 2;
            double[] out = new double[samples / perSecond];
            for (int s = 0; s < out.length; s++) {
                double sum = 0;
                for (int i = s * perSecond; i < (s + 1) * perSecond; i++) {
                    int v = f.isBigEndian()
                            ? (bytes[2 * i] << 8) | (bytes[2 * i + 1] & 0xFF)
                            : (bytes[2 * i + 1] << 8) | (bytes[2 * i] & 0xFF);
                    sum += (v / 32768.0) * (v / 32768.0);
                }
                out[s] = Math.sqrt(sum / perSecond);
            }
            return out;
        }
    }

    @Test
    void loadedOnOnnxRuntimeFreesTheLibtorchWeightsAndContinuesAsLibtorch() throws Exception {
        Path dir = shared.resolve("model");
        var onnxruntime = dev.perceiver.inference.engine.Engine.ONNXRUNTIME;
        int[] prompt = MidiEventCodec.encode(writePrompt(tmp.resolve("ort-prompt.mid"), 6));
        SymbolicAudioOptions greedy =
                SymbolicAudioOptions.defaults().withMaxNewTokens(8).withGreedy();
        try (SymbolicAudioPipeline ort = SymbolicAudioPipeline.load(dir, new WavRenderer(), onnxruntime, 1);
                NDManager m = NDManager.newBaseManager();
                SymbolicAudioPipeline callers = new SymbolicAudioPipeline(
                        SymbolicAudioPipeline.loadModel(dir, m), new WavRenderer(), onnxruntime, 1)) {
            assertThat(ort.engine()).isEqualTo(onnxruntime);
            assertThat(ort.model().stateDict().values()).allMatch(dev.perceiver.nn.Parameter::isReleased);
            assertThat(callers.model().stateDict().values()).noneMatch(dev.perceiver.nn.Parameter::isReleased);
            assertThat(pipeline.model().stateDict().values()).noneMatch(dev.perceiver.nn.Parameter::isReleased);
            int[] want = pipeline.continueTokens(prompt, greedy).generatedTokens();
            assertThat(ort.continueTokens(prompt, greedy).generatedTokens()).containsExactly(want);
            assertThat(callers.continueTokens(prompt, greedy).generatedTokens()).containsExactly(want);
        }
    }
}
