package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.inference.audio.MidiEventCodec;
import dev.perceiver.inference.audio.MidiFiles;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.tasks.audio.SymbolicAudioModel;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code perceiver generate-audio} on a small random model folder. */
class GenerateAudioCommandTest {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static Path model;
    private static Path prompt;

    @BeforeAll
    static void setUp() throws Exception {
        model = shared.resolve("model");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelFolder.save(new SymbolicAudioModel(m, tinyConfig()), model, Map.of());
        }
        prompt = shared.resolve("prompt.mid");
        MidiFiles.write(risingNotes(6), prompt);
    }

    /** A small random symbolic audio model: 1 layer, 32 channels, max_seq_len 64, max_latents 16. */
    private static PerceiverARConfig tinyConfig() {
        return PerceiverARConfig.builder()
                .numHeads(4)
                .numSelfAttentionLayers(1)
                .vocabSize(MidiEventCodec.VOCAB_SIZE)
                .maxSeqLen(64)
                .maxLatents(16)
                .numChannels(32)
                .outputNorm(true)
                .outputBias(false)
                .absPosEmb(false)
                .build();
    }

    /** {@code count} notes rising by a whole tone, 0.3 s apart, 0.25 s long, at 120 bpm (1000 ticks per second). */
    private static Sequence risingNotes(int count) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 500);
        Track track = seq.createTrack();
        for (int i = 0; i < count; i++) {
            track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 60 + 2 * i, 96), 100 + i * 300L));
            track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, 60 + 2 * i, 0), 350 + i * 300L));
        }
        return seq;
    }

    /** Exit code, stdout and stderr of one run. */
    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** {@code generate-audio} on the test model and prompt, writing {@code output}, with more options. */
    private static Run generateAudio(Path output, String... options) {
        String[] args = {"generate-audio", "--model", model.toString(), "--prompt", prompt.toString(), "--output"};
        String[] all = Arrays.copyOf(args, args.length + 1 + options.length);
        all[args.length] = output.toString();
        System.arraycopy(options, 0, all, args.length + 1, options.length);
        return run(all);
    }

    @Test
    void writesMidiAndWavAndReportsJson() throws Exception {
        Path mid = tmp.resolve("out.mid");
        Path wav = tmp.resolve("out.wav");
        Run r = generateAudio(mid, "--wav", wav.toString(), "--max-new-tokens", "12", "--seed", "42", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        int promptTokens = MidiEventCodec.encode(prompt).length;
        assertThat(json.get("prompt_tokens").asInt()).isEqualTo(promptTokens);
        assertThat(json.get("prompt_file_tokens").asInt()).isEqualTo(promptTokens);
        assertThat(json.get("generated_tokens").asInt()).isEqualTo(12);
        assertThat(json.get("generated_token_ids")).hasSize(12);
        assertThat(json.get("seed").asLong()).isEqualTo(42);
        assertThat(json.get("num_latents").asInt()).isEqualTo(1);
        assertThat(json.get("top_p").asDouble()).isEqualTo(0.95);
        assertThat(json.get("top_k").asInt()).isEqualTo(50);
        assertThat(json.get("includes_prompt").asBoolean()).isTrue();
        assertThat(json.get("notes").asInt())
                .isGreaterThanOrEqualTo(6)
                .isEqualTo(MidiEventCodec.notes(MidiFiles.read(mid)).size());
        assertThat(json.get("midi").asText()).isEqualTo(mid.toString());
        assertThat(json.get("wav").asText()).isEqualTo(wav.toString());
        assertThat(json.get("wav_seconds").asDouble())
                .isGreaterThan(json.get("duration_seconds").asDouble());
        assertThat(Files.size(wav)).isGreaterThan(44);

        Run again = generateAudio(tmp.resolve("again.mid"), "--max-new-tokens", "12", "--seed", "42", "--json");
        assertThat(new ObjectMapper().readTree(again.out()).get("generated_token_ids"))
                .isEqualTo(json.get("generated_token_ids"));
        assertThat(new ObjectMapper().readTree(again.out()).get("wav").isNull()).isTrue();
    }

    @Test
    void printsAHumanReadableSummary() throws Exception {
        Path mid = tmp.resolve("text.mid");
        Run r = generateAudio(mid, "--max-new-tokens", "5", "--greedy", "--continuation-only");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("prompt tokens:    " + MidiEventCodec.encode(prompt).length)
                .contains("generated tokens: 5")
                .contains("greedy, num_latents 1")
                .contains("(continuation only)")
                .contains("duration:")
                .contains("midi:             " + mid)
                .doesNotContain("wav:");
        assertThat(mid).exists();
    }

    @Test
    void anOutputEqualToThePromptIsRefusedAndThePromptKept() throws Exception {
        byte[] before = Files.readAllBytes(prompt);
        Run same = generateAudio(prompt);
        assertThat(same.code()).isEqualTo(2);
        assertThat(same.err().strip())
                .isEqualTo("error: --output (" + prompt + ") is the same file as --prompt; writing it would "
                        + "overwrite the input");
        Path mid = tmp.resolve("twice.mid");
        Run twice = generateAudio(mid, "--wav", mid.toString());
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("--wav (" + mid + ") is the same file as --output");
        assertThat(Files.readAllBytes(prompt)).isEqualTo(before);
    }

    @Test
    void badInputGivesOneLineAndExitCode2() throws Exception {
        Path mid = tmp.resolve("bad.mid");
        Run topP = generateAudio(mid, "--top-p", "1.5");
        assertThat(topP.code()).isEqualTo(2);
        assertThat(topP.err().strip()).isEqualTo("error: top_p (1.5) must be in (0, 1] (1 = no top-p filtering)");

        Path missing = tmp.resolve("nope.mid");
        Run noPrompt = run(
                "generate-audio",
                "--model",
                model.toString(),
                "--prompt",
                missing.toString(),
                "--output",
                mid.toString());
        assertThat(noPrompt.code()).isEqualTo(2);
        assertThat(noPrompt.err())
                .contains("error: ")
                .contains(missing.toString())
                .doesNotContain("\tat ");

        Run latents = generateAudio(mid, "--num-latents", "17");
        assertThat(latents.code()).isEqualTo(2);
        assertThat(latents.err()).contains("num_latents=17").contains("[1..16]");

        Run noModel = run(
                "generate-audio",
                "--model",
                tmp.resolve("nomodel").toString(),
                "--prompt",
                prompt.toString(),
                "--output",
                mid.toString());
        assertThat(noModel.code()).isEqualTo(2);
        assertThat(noModel.err()).contains("nomodel");

        Path clm = tmp.resolve("clm");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelFolder.save(new CausalLanguageModel(m, tinyConfig()), clm, Map.of());
        }
        Run wrongKind = run(
                "generate-audio", "--model", clm.toString(), "--prompt", prompt.toString(), "--output", mid.toString());
        assertThat(wrongKind.code()).isEqualTo(2);
        assertThat(wrongKind.err().strip())
                .isEqualTo("error: model folder " + clm + " holds a text-generation model (model_type "
                        + "perceiver-ar-causal-language-model); a symbolic-audio-generation model (model_type "
                        + "perceiver-ar-symbolic-audio-model) is needed");

        Path sf2 = tmp.resolve("missing.sf2");
        Run soundfont = generateAudio(mid, "--wav", tmp.resolve("bad.wav").toString(), "--soundfont", sf2.toString());
        assertThat(soundfont.code()).isEqualTo(2);
        assertThat(soundfont.err()).contains(sf2.toString()).contains("soundfont does not exist");
        Run soundfontWithoutWav = generateAudio(mid, "--soundfont", sf2.toString());
        assertThat(soundfontWithoutWav.code()).isEqualTo(2);
        assertThat(soundfontWithoutWav.err()).contains("--soundfont").contains("only used with --wav");

        Run missingOption = run("generate-audio", "--prompt", prompt.toString(), "--output", mid.toString());
        assertThat(missingOption.code()).isEqualTo(2);
        assertThat(missingOption.err()).contains("--model");
        assertThat(mid).doesNotExist();
    }

    @Test
    void helpDocumentsEveryOptionWithItsDefault() {
        Run r = run("generate-audio", "--help");
        assertThat(r.code()).isZero();
        for (String option : new String[] {
            "--model",
            "--prompt",
            "--output",
            "--wav",
            "--soundfont",
            "--max-new-tokens",
            "--num-latents",
            "--max-prompt-length",
            "--top-p",
            "--top-k",
            "--temperature",
            "--seed",
            "--greedy",
            "--continuation-only",
            "--json"
        }) {
            assertThat(r.out()).contains(option);
        }
        assertThat(r.out())
                .contains("Default: 64")
                .contains("Default: 0.95")
                .contains("Default: 50")
                .contains("Default: 1.0");
        Run main = run("--help");
        assertThat(main.out()).contains("generate-audio");
    }
}
