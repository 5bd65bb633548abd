package dev.perceiver.cli;

import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.FillMaskResult;
import dev.perceiver.inference.text.TokenScore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perceiver fill-mask}: predicts masked tokens with a Perceiver IO masked language model. */
@Command(
        name = "fill-mask",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Predict masked tokens with a masked language model (Perceiver IO).",
            "%nTexts contain [MASK] (or <mask>); with the UTF-8 bytes tokenizer one [MASK] is one byte, so "
                    + "a 5-letter word takes 5 masks. Prints the top-k filled texts (the i-th uses the i-th "
                    + "candidate at every mask) and the top-k candidates of every masked position with their "
                    + "probabilities.%n"
        })
public final class FillMaskCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|ID",
            description = "Model folder or Hugging Face Hub id owner/name[@revision]"
                    + " (config.json, model.safetensors, tokenizer files).")
    Path model;

    @Option(
            names = "--top-k",
            defaultValue = "5",
            paramLabel = "K",
            description = "Candidates per masked position (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--batch-size",
            defaultValue = "8",
            paramLabel = "N",
            description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--engine",
            defaultValue = "auto",
            paramLabel = "libtorch|onnxruntime|onnxruntime-int8|auto",
            description = "Engine of the forward passes (default: ${DEFAULT-VALUE}: ONNX Runtime on a graph exported"
                    + " from the model where it loads, the faster one on CPUs; onnxruntime-int8: int8 weights,"
                    + " about 2x faster, less exact; see README, Benchmarks).")
    String engine;

    @Option(
            names = "--json",
            defaultValue = "false",
            description = "Print one JSON object per text (default: ${DEFAULT-VALUE}).")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts with at least one mask token each.")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        texts = TextInputs.expand(texts);
        List<FillMaskResult> results;
        // the pipeline owns the model, so on ONNX Runtime it frees the libtorch weights once exported
        try (FillMaskPipeline pipeline = FillMaskPipeline.load(
                model, batchSize, Engine.parse(engine), Runtime.getRuntime().availableProcessors())) {
            results = pipeline.fill(texts, topK);
        }
        PrintWriter out = Output.stdout();
        for (FillMaskResult r : results) {
            if (json) {
                out.println(Output.line(ResultJson.fillMask(r)));
                continue;
            }
            out.println(r.text());
            for (int k = 0; k < r.filledTexts().size(); k++) {
                out.println("  " + (k + 1) + ". " + r.filledTexts().get(k));
            }
            for (FillMaskResult.MaskPrediction p : r.masks()) {
                StringBuilder line = new StringBuilder("  position " + p.position() + ":");
                for (TokenScore c : p.candidates()) {
                    line.append(
                            String.format(Locale.ROOT, " %s(id %d) %.4f", quote(c.token()), c.tokenId(), c.score()));
                }
                out.println(line);
            }
        }
        out.flush();
        return 0;
    }

    /** A token in quotes with control characters escaped, so spaces and newlines stay visible. */
    private static String quote(String token) {
        StringBuilder sb = new StringBuilder("'");
        for (char ch : token.toCharArray()) {
            if (ch == '\n') {
                sb.append("\\n");
            } else if (ch == '\t') {
                sb.append("\\t");
            } else if (ch < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append('\'').toString();
    }
}
