package dev.perceiver.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.audio.MidiFiles;
import dev.perceiver.inference.audio.SymbolicAudioOptions;
import dev.perceiver.inference.audio.SymbolicAudioPipeline;
import dev.perceiver.inference.audio.SymbolicAudioResult;
import dev.perceiver.inference.audio.WavRenderer;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.StepListener;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code perceiver generate-audio}: continues a MIDI prompt with a symbolic audio model. */
@Command(
        name = "generate-audio",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Continue a MIDI prompt with a Perceiver AR symbolic audio model.",
            "The model folder has model_type perceiver-ar-symbolic-audio-model; prompt and continuation are",
            "written as MIDI and, with --wav, as WAV rendered by the JDK software synthesizer.",
            "The prompt keeps its first --max-prompt-length tokens. The defaults follow",
            "the reference's audio generation example (top-p sampling)."
        })
public final class GenerateAudioCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|ID",
            description = "Model folder or Hugging Face Hub id owner/name[@revision] (config.json, model.safetensors).")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "PROMPT.mid", description = "MIDI prompt file.")
    Path prompt;

    @Option(names = "--output", required = true, paramLabel = "OUT.mid", description = "MIDI output file.")
    Path output;

    @Option(
            names = "--wav",
            paramLabel = "OUT.wav",
            description =
                    "Also render the MIDI output to this WAV file " + "(16-bit, 44.1 kHz stereo). Default: no WAV.")
    Path wav;

    @Option(
            names = "--soundfont",
            paramLabel = "FILE",
            description = "SF2 or DLS soundbank for the WAV " + "rendering. Default: the JDK's built-in soundbank.")
    Path soundfont;

    @Option(
            names = "--max-new-tokens",
            paramLabel = "N",
            defaultValue = "" + SymbolicAudioOptions.DEFAULT_MAX_NEW_TOKENS,
            description = "Number of tokens to generate, >= 1. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(
            names = "--num-latents",
            paramLabel = "N",
            description = "Initial number of latent positions at the "
                    + "end of the prompt, in [1, max_latents]; the prefix (prompt length - N) must not exceed "
                    + "max_prefix_len. Default: 1, or the smallest valid number for a long prompt.")
    Integer numLatents;

    @Option(
            names = "--max-prompt-length",
            paramLabel = "N",
            description = "Use only the first N tokens of the "
                    + "prompt, in [1, max_seq_len]. Default: max_seq_len of the model.")
    Integer maxPromptLength;

    @Option(
            names = "--top-p",
            paramLabel = "P",
            defaultValue = "" + SymbolicAudioOptions.DEFAULT_TOP_P,
            description = "Sample from the most probable tokens whose probability mass reaches P, in (0, 1] "
                    + "(1 = off). Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            defaultValue = "" + SymbolicAudioOptions.DEFAULT_TOP_K,
            description = "Sample from the K most probable tokens, >= 0 (0 = off). Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(
            names = "--temperature",
            paramLabel = "T",
            defaultValue = "" + SymbolicAudioOptions.DEFAULT_TEMPERATURE,
            description = "Divide the logits by T before sampling, > 0. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed of the sampling; the same seed, model and "
                    + "options give the same output. Default: random (printed).")
    Long seed;

    @Option(
            names = "--greedy",
            description = "Choose the most probable token at every step instead of sampling "
                    + "(--top-p, --top-k, --temperature and --seed are then unused). Default: off.")
    boolean greedy;

    @Option(
            names = "--continuation-only",
            description = "Write only the generated continuation, without the "
                    + "prompt. Default: prompt followed by the continuation.")
    boolean continuationOnly;

    @Option(
            names = "--fp16",
            description = "Decoding steps multiply with float16 copies of the weights: faster "
                    + "where memory bandwidth bounds decoding; token probabilities differ from float32 by float16 "
                    + "rounding, "
                    + "so sampling with a seed can pick other tokens. Default: float32.")
    boolean fp16;

    @Mixin
    DecodingEngineOption engine;

    @Option(
            names = "--json",
            description =
                    "Print the result as one JSON object (with the token ids) instead of " + "text. Default: text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        GenerationConfig.checkMaxNewTokens(maxNewTokens); // before the model is loaded
        java.util.Map<String, Path> inputs = new java.util.LinkedHashMap<>();
        inputs.put("--prompt", prompt);
        inputs.put("--soundfont", soundfont);
        java.util.Map<String, Path> outputs = new java.util.LinkedHashMap<>();
        outputs.put("--output", output);
        outputs.put("--wav", wav);
        OutputPaths.check(inputs, outputs);
        SymbolicAudioOptions options = new SymbolicAudioOptions(
                maxNewTokens,
                numLatents,
                maxPromptLength,
                !greedy,
                temperature,
                topK,
                topP,
                seed,
                !continuationOnly,
                true,
                fp16);
        if (soundfont != null && wav == null) {
            throw new IllegalArgumentException("--soundfont (" + soundfont + ") is only used with --wav");
        }
        if (soundfont != null && !Files.isRegularFile(soundfont)) {
            throw new NoSuchFileException(soundfont.toString(), null, "soundfont does not exist");
        }
        MidiFiles.read(prompt); // fail on a bad prompt before the model is loaded
        WavRenderer renderer = new WavRenderer().withSoundbank(soundfont);
        Engine decodeOn = engine.decodeOn(options.useCache(), fp16);
        try (SymbolicAudioPipeline pipeline = SymbolicAudioPipeline.load(
                model, renderer, decodeOn, Runtime.getRuntime().availableProcessors())) {
            SymbolicAudioResult result =
                    SerialWorker.call(() -> pipeline.generate(prompt, output, wav, options, progress(maxNewTokens)));
            if (json) {
                System.out.println(toJson(result, options).toString());
            } else {
                printText(System.out, result, options);
            }
        }
        return 0;
    }

    /** Progress on stderr when it is a terminal, about every 10 % of the tokens. */
    private static StepListener progress(int total) {
        if (System.console() == null) {
            return null;
        }
        int every = Math.max(1, total / 10);
        return (step, tokens, finished) -> {
            int done = step + 1;
            if (done % every == 0 || done == total) {
                System.err.printf(Locale.ROOT, "generated %d/%d tokens%n", done, total);
            }
        };
    }

    private static void printText(PrintStream out, SymbolicAudioResult r, SymbolicAudioOptions o) {
        String truncated = r.promptTokens().length < r.promptFileTokens()
                ? " (first " + r.promptTokens().length + " of " + r.promptFileTokens() + ")"
                : "";
        out.printf(Locale.ROOT, "prompt tokens:    %d%s%n", r.promptTokens().length, truncated);
        out.printf(Locale.ROOT, "generated tokens: %d%n", r.generatedTokens().length);
        if (o.doSample()) {
            out.printf(
                    Locale.ROOT,
                    "sampling:         top-p %s, top-k %d, temperature %s, seed %d, num_latents %d%n",
                    o.topP(),
                    o.topK(),
                    o.temperature(),
                    r.seed(),
                    r.numLatents());
        } else {
            out.printf(Locale.ROOT, "sampling:         greedy, num_latents %d%n", r.numLatents());
        }
        out.printf(
                Locale.ROOT,
                "notes:            %d (%s)%n",
                r.numNotes(),
                r.includesPrompt() ? "prompt and continuation" : "continuation only");
        out.printf(Locale.ROOT, "duration:         %.2f s%n", r.durationSeconds());
        out.printf(Locale.ROOT, "midi:             %s%n", r.midiFile());
        if (r.wavFile() != null) {
            out.printf(Locale.ROOT, "wav:              %s (%.2f s)%n", r.wavFile(), r.wavSeconds());
        }
    }

    private static ObjectNode toJson(SymbolicAudioResult r, SymbolicAudioOptions o) {
        ObjectNode node = ResultJson.audio(r, o);
        node.put("midi", r.midiFile().toString());
        if (r.wavFile() != null) {
            node.put("wav", r.wavFile().toString());
            node.put("wav_seconds", r.wavSeconds());
        } else {
            node.putNull("wav");
        }
        return node;
    }
}
