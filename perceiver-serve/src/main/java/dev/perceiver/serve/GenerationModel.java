package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.StepListener;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.GeneratedText;
import dev.perceiver.inference.text.TextGenerationPipeline;
import dev.perceiver.inference.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Text generation with a causal language model. Parameters as the command line's {@code generate}: {@code
 * max_new_tokens} (default 20), {@code num_latents} (1); greedy unless one of {@code temperature, top_k, top_p, seed}
 * is given. Greedy requests with equal options and equal prompt length (in tokens) share a batch: without padding
 * every row computes exactly what it computes alone; sampled requests run alone (their seed drives the whole batch).
 */
final class GenerationModel extends ServedModel {
    /** Default {@code max_new_tokens}, as Hugging Face's text-generation API. */
    static final int DEFAULT_MAX_NEW_TOKENS = 20;

    private record Job(String prompt, GenerationConfig config, Long seed, StepListener listener) {}

    private record Key(GenerationConfig config, int promptTokens) {}

    private final TextGenerationPipeline pipeline;
    private final Batcher<Job, GeneratedText> batcher;

    GenerationModel(
            String id,
            String modelType,
            TextGenerationPipeline pipeline,
            ServeOptions options,
            Executor worker,
            ServerMetrics metrics) {
        super(id, "text-generation", modelType, pipeline.model().numParameters(), options);
        this.pipeline = pipeline;
        Tokenizer tokenizer = pipeline.tokenizer();
        this.batcher = new Batcher<>(
                id,
                options,
                job -> job.seed() != null || job.listener() != null
                        ? null
                        : new Key(job.config(), tokenizer.encode(job.prompt(), false).length),
                jobs -> {
                    long start = System.nanoTime();
                    List<String> prompts = new ArrayList<>();
                    jobs.forEach(j -> prompts.add(j.prompt()));
                    Job first = jobs.get(0);
                    List<GeneratedText> out = first.listener() == null
                            ? pipeline.generate(prompts, first.config())
                            : pipeline.generate(prompts, first.config(), first.listener());
                    long tokens = out.stream().mapToLong(g -> g.tokens().length).sum();
                    metrics.batch(id, jobs.size(), tokens, (System.nanoTime() - start) / 1e9);
                    return out;
                },
                worker,
                metrics);
    }

    @Override
    JsonNode infer(InferenceRequest request) throws Exception {
        Job job = job(request, null);
        return ResultJson.generated(await(batcher.submit(job)), job.seed());
    }

    /** A streamed generation under way: its result and the seed it samples with (null when greedy). */
    record Streamed(CompletableFuture<GeneratedText> result, Long seed) {}

    /**
     * Checks the request and queues it with one event per token: {@code onToken} receives {@code {"index",
     * "token_id", "text"}} (the text the token adds) on the worker thread as each step ends.
     *
     * @throws ApiException for bad input or a full queue, before anything runs
     */
    Streamed stream(InferenceRequest request, Consumer<ObjectNode> onToken) {
        Job plain = job(request, null);
        int lastStep = plain.config().maxNewTokens() - 1;
        Tokenizer tokenizer = pipeline.tokenizer();
        List<Long> ids = new ArrayList<>();
        String[] shown = {""};
        boolean[] done = {false};
        StepListener listener = (step, tokens, finished) -> {
            if (done[0]) {
                return;
            }
            done[0] = finished[0];
            ids.add(tokens[0]);
            String text =
                    tokenizer.decode(ids.stream().mapToLong(Long::longValue).toArray(), true);
            // hold back a trailing incomplete UTF-8 sequence (decoded as U+FFFD) until it completes or generation ends
            String stable = finished[0] || step == lastStep ? text : withoutTrailingReplacement(text);
            String delta = stable.startsWith(shown[0]) ? stable.substring(shown[0].length()) : stable;
            shown[0] = stable;
            ObjectNode event = ResultJson.MAPPER.createObjectNode();
            event.put("index", step);
            event.put("token_id", tokens[0]);
            event.put("text", delta);
            onToken.accept(event);
        };
        Job job = new Job(plain.prompt(), plain.config(), plain.seed(), listener);
        return new Streamed(batcher.submit(job), job.seed());
    }

    private static String withoutTrailingReplacement(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return text.substring(0, end);
    }

    /** The final result of a streamed generation, as {@link #infer} answers it. */
    ObjectNode finish(Streamed streamed) throws Exception {
        return ResultJson.generated(await(streamed.result()), streamed.seed());
    }

    private Job job(InferenceRequest r, StepListener listener) {
        String prompt = r.text(options.maxTextChars());
        if (prompt.isEmpty()) {
            throw ApiException.invalid("inputs", "'inputs' is empty; a prompt of at least 1 token is required");
        }
        int maxNewTokens = r.intParam("max_new_tokens", DEFAULT_MAX_NEW_TOKENS, 1, Integer.MAX_VALUE);
        if (maxNewTokens > options.maxNewTokens()) {
            throw ApiException.invalid(
                    InferenceRequest.field("max_new_tokens"),
                    "max_new_tokens (" + maxNewTokens + ") must be in [1, " + options.maxNewTokens()
                            + "] (the server's max_new_tokens)");
        }
        int numLatents =
                r.intParam("num_latents", 1, 1, pipeline.model().config().maxLatents());
        boolean sample = r.has("temperature") | r.has("top_k") | r.has("top_p") | r.has("seed");
        double temperature = r.doubleParam("temperature", 1.0, 0, 1e6);
        int topK = r.intParam("top_k", 0, 0, Integer.MAX_VALUE);
        double topP = r.doubleParam("top_p", 1.0, 0, 1);
        Long seed = r.longParam("seed");
        r.finish();
        GenerationConfig config = pipeline.defaults(maxNewTokens).withNumLatents(numLatents);
        Long used = null;
        if (sample) {
            used = seed != null ? seed : ThreadLocalRandom.current().nextLong();
            config = config.withSampling(temperature, topK, topP, used);
        } else {
            config = config.withGreedy();
        }
        return new Job(prompt, config, used, listener);
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
