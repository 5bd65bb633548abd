package dev.perceiver.cli;

import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.GeneratedText;
import dev.perceiver.inference.text.TextGenerationPipeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code perceiver generate}: continues text prompts with a Perceiver AR causal language model. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Continue text prompts with a causal language model (Perceiver AR).",
            "%nAll prompts run as one batch, left-padded. Greedy by default; sampling when any of --top-k, "
                    + "--top-p, --temperature or --seed is given. The prompt starts with --num-latents latent "
                    + "positions; latents then grow to max_latents, the prefix to max_prefix_len, then the "
                    + "window slides.%n"
        })
public final class GenerateCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|ID",
            description = "Model folder or Hugging Face Hub id owner/name[@revision]"
                    + " (config.json, model.safetensors, tokenizer files).")
    Path model;

    @Option(
            names = "--prompt",
            required = true,
            paramLabel = "TEXT",
            description =
                    "A prompt; repeat the option for several prompts; - reads one prompt per line from standard input, "
                            + "@FILE from a file.")
    List<String> prompts;

    @Option(
            names = "--max-new-tokens",
            required = true,
            paramLabel = "N",
            description = "Tokens to generate per prompt (fewer when a prompt stops at EOS).")
    int maxNewTokens;

    @Option(
            names = "--num-latents",
            defaultValue = "1",
            paramLabel = "N",
            description = "Latent positions at the end of the prompt at the start, 1..max_latents "
                    + "(default: ${DEFAULT-VALUE}).")
    int numLatents;

    @Option(
            names = "--top-k",
            defaultValue = "0",
            paramLabel = "K",
            description = "Sample only from the K most probable tokens; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1.0",
            paramLabel = "P",
            description = "Sample only from the most probable tokens whose probability mass exceeds P, in (0, 1]; "
                    + "1 = all (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(
            names = "--temperature",
            defaultValue = "1.0",
            paramLabel = "T",
            description = "Divide the logits by T before sampling, > 0 (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed of the sampling; the same seed gives the same text (default: a random seed, "
                    + "reported with --json).")
    Long seed;

    @Option(
            names = "--eos-id",
            paramLabel = "ID",
            description = "Token id that ends a sequence (default: the tokenizer's EOS token, [EOS] = 2 for the "
                    + "bytes tokenizer).")
    Integer eosId;

    @Option(
            names = "--ignore-eos",
            defaultValue = "false",
            description = "Never stop early at EOS (default: ${DEFAULT-VALUE}).")
    boolean ignoreEos;

    @Option(
            names = "--no-cache",
            defaultValue = "false",
            description = "Recompute the whole window every step instead of using the key/value cache "
                    + "(slow; for checks) (default: ${DEFAULT-VALUE}).")
    boolean noCache;

    @Option(
            names = "--fp16",
            defaultValue = "false",
            description = "Decoding steps multiply with float16 copies of the weights: about 1.9x faster where "
                    + "memory bandwidth bounds decoding (CPU, batch 1; measured on the bench's clm-generate); "
                    + "logits differ from float32 by float16 rounding (about 1e-3), so a near-tie can pick another "
                    + "token (default: ${DEFAULT-VALUE}).")
    boolean fp16;

    @Mixin
    DecodingEngineOption engine;

    @Option(
            names = "--json",
            defaultValue = "false",
            description = "Print one JSON object per prompt (default: ${DEFAULT-VALUE}).")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GenerationConfig.checkMaxNewTokens(maxNewTokens); // before the model is loaded
        prompts = TextInputs.expand(prompts);
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        boolean sample = parsed.hasMatchedOption("--top-k")
                || parsed.hasMatchedOption("--top-p")
                || parsed.hasMatchedOption("--temperature")
                || parsed.hasMatchedOption("--seed");
        long usedSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        Engine decodeOn = engine.decodeOn(!noCache, fp16);
        try (TextGenerationPipeline pipeline = TextGenerationPipeline.load(
                model, decodeOn, Runtime.getRuntime().availableProcessors())) {
            GenerationConfig config = pipeline.defaults(maxNewTokens)
                    .withNumLatents(numLatents)
                    .withCache(!noCache)
                    .withFloat16Steps(fp16);
            if (eosId != null) {
                config = config.withEosTokenId(eosId);
            }
            if (ignoreEos) {
                config = config.withEosTokenId(null);
            }
            config = sample ? config.withSampling(temperature, topK, topP, usedSeed) : config.withGreedy();
            GenerationConfig chosen = config;
            PrintWriter out = Output.stdout();
            boolean stream = !json && prompts.size() == 1;
            TokenStream streamed = stream ? new TokenStream(pipeline.tokenizer(), prompts.get(0), out) : null;
            List<GeneratedText> results = SerialWorker.call(() -> pipeline.generate(prompts, chosen, streamed));
            if (stream) {
                streamed.finish(results.get(0).fullText());
                return 0;
            }
            for (int i = 0; i < results.size(); i++) {
                GeneratedText r = results.get(i);
                if (json) {
                    out.println(Output.line(ResultJson.generated(r, sample ? usedSeed : null)));
                } else {
                    if (results.size() > 1) {
                        out.println("--- prompt " + (i + 1) + " ---");
                    }
                    out.println(r.fullText());
                }
            }
            out.flush();
        }
        return 0;
    }
}
