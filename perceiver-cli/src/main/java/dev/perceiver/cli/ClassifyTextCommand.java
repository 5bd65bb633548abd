package dev.perceiver.cli;

import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.TextClassificationPipeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perceiver classify-text}: labels texts with a Perceiver IO text classifier. */
@Command(
        name = "classify-text",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Classify texts with a text classifier (Perceiver IO).",
            "%nLabels come from id2label in config.json (else the class index); scores are softmax "
                    + "probabilities over the classes.%n"
        })
public final class ClassifyTextCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|ID",
            description = "Model folder or Hugging Face Hub id owner/name[@revision]"
                    + " (config.json, model.safetensors, tokenizer files).")
    Path model;

    @Option(
            names = "--top-k",
            defaultValue = "1",
            paramLabel = "K",
            description = "Labels per text, most probable first (default: ${DEFAULT-VALUE}).")
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

    @Parameters(
            arity = "1..*",
            paramLabel = "TEXT",
            description = "Texts to classify; - reads one text per line from standard input, @FILE from a file.")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        texts = TextInputs.expand(texts);
        List<List<LabelScore>> results;
        // the pipeline owns the model, so on ONNX Runtime it frees the libtorch weights once exported
        try (TextClassificationPipeline pipeline = TextClassificationPipeline.load(
                model, batchSize, Engine.parse(engine), Runtime.getRuntime().availableProcessors())) {
            results = pipeline.classify(texts, topK);
        }
        PrintWriter out = Output.stdout();
        for (int i = 0; i < texts.size(); i++) {
            if (json) {
                out.println(Output.line(ResultJson.labels("text", texts.get(i), results.get(i))));
            } else {
                StringBuilder line = new StringBuilder();
                for (LabelScore s : results.get(i)) {
                    line.append(String.format(Locale.ROOT, "%s %.4f  ", s.label(), s.score()));
                }
                out.println(line.append(texts.get(i)));
            }
        }
        out.flush();
        return 0;
    }
}
