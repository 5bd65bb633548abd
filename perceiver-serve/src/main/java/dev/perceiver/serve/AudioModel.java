package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.audio.SymbolicAudioOptions;
import dev.perceiver.inference.audio.SymbolicAudioPipeline;
import dev.perceiver.inference.audio.SymbolicAudioResult;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * Symbolic audio: {@code inputs} a base64 MIDI file; parameters as {@code generate-audio} ({@code max_new_tokens,
 * num_latents, max_prompt_length, temperature, top_k, top_p, seed, greedy, include_prompt, wav}). The answer holds
 * the fields of {@code generate-audio --json} with the MIDI ({@code midi}) and WAV ({@code wav}) as base64. Each
 * request runs alone (sampling state is per generation); files live in a temporary folder removed after it.
 */
final class AudioModel extends ServedModel {
    private record Job(byte[] midi, SymbolicAudioOptions options, boolean wav) {}

    private record Output(SymbolicAudioResult result, byte[] midi, byte[] wav) {}

    private final SymbolicAudioPipeline pipeline;
    private final Batcher<Job, Output> batcher;
    private final int maxLatents;

    AudioModel(
            String id, SymbolicAudioPipeline pipeline, ServeOptions options, Executor worker, ServerMetrics metrics) {
        super(
                id,
                "symbolic-audio",
                "perceiver-ar-symbolic-audio-model",
                pipeline.model().numParameters(),
                options);
        this.pipeline = pipeline;
        this.maxLatents = pipeline.model().config().maxLatents();
        this.batcher = new Batcher<>(
                id,
                options,
                job -> null,
                jobs -> {
                    long start = System.nanoTime();
                    Output out = run(pipeline, jobs.get(0));
                    metrics.batch(id, 1, out.result().generatedTokens().length, (System.nanoTime() - start) / 1e9);
                    return List.of(out);
                },
                worker,
                metrics);
    }

    private static Output run(SymbolicAudioPipeline pipeline, Job job) throws IOException {
        Path dir = Files.createTempDirectory("perceiver-serve-audio");
        try {
            Path prompt = Files.write(dir.resolve("prompt.mid"), job.midi());
            Path mid = dir.resolve("out.mid");
            Path wav = job.wav() ? dir.resolve("out.wav") : null;
            SymbolicAudioResult r;
            try {
                r = pipeline.generate(prompt, mid, wav, job.options());
            } catch (IOException e) {
                throw ApiException.badRequest("inputs", "inputs is not a usable MIDI file: " + e.getMessage());
            }
            return new Output(r, Files.readAllBytes(mid), wav == null ? null : Files.readAllBytes(wav));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    JsonNode infer(InferenceRequest request) throws Exception {
        byte[] midi = ImageInput.base64(request.inputs(), "inputs");
        SymbolicAudioOptions d = SymbolicAudioOptions.defaults();
        int maxNew = request.intParam("max_new_tokens", d.maxNewTokens(), 1, Integer.MAX_VALUE);
        if (maxNew > options.maxNewTokens()) {
            throw ApiException.invalid(
                    InferenceRequest.field("max_new_tokens"),
                    "max_new_tokens (" + maxNew + ") must be in [1, " + options.maxNewTokens()
                            + "] (the server's max_new_tokens)");
        }
        Integer numLatents = request.has("num_latents") ? request.intParam("num_latents", 1, 1, maxLatents) : null;
        Integer maxPrompt =
                request.has("max_prompt_length") ? request.intParam("max_prompt_length", 1, 1, 1_000_000) : null;
        boolean greedy = request.boolParam("greedy", false);
        double temperature = request.doubleParam("temperature", d.temperature(), 0, 1e6);
        int topK = request.intParam("top_k", d.topK(), 0, Integer.MAX_VALUE);
        double topP = request.doubleParam("top_p", d.topP(), 0, 1);
        Long seed = request.longParam("seed");
        boolean includePrompt = request.boolParam("include_prompt", true);
        boolean wav = request.boolParam("wav", true);
        request.finish();
        SymbolicAudioOptions o = new SymbolicAudioOptions(
                maxNew, numLatents, maxPrompt, !greedy, temperature, topK, topP, seed, includePrompt, true, false);
        Output out = await(batcher.submit(new Job(midi, o, wav)));
        ObjectNode node = ResultJson.audio(out.result(), o);
        node.put("midi", Base64.getEncoder().encodeToString(out.midi()));
        if (out.wav() != null) {
            node.put("wav", Base64.getEncoder().encodeToString(out.wav()));
            node.put("wav_seconds", out.result().wavSeconds());
        } else {
            node.putNull("wav");
        }
        return node;
    }

    @Override
    Engine engine() {
        return pipeline.engine();
    }

    @Override
    public void close() {
        batcher.close();
        pipeline.close();
    }
}
