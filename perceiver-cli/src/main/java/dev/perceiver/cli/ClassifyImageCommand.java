package dev.perceiver.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perceiver classify-image --model DIR IMAGE...}: top-k classes of image files. */
@Command(
        name = "classify-image",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Classify image files with a Perceiver IO image classifier.",
            "Prints the top-k classes of each with softmax probabilities; a file that cannot be read "
                    + "or does not fit is reported (error: FILE: ...) and the others are classified (exit code "
                    + "2 then). Images are converted to the model's channels (grayscale or RGB), cropped, "
                    + "resized and normalised as its preprocessor_config.json says (without one: grayscale "
                    + "models take images of their exact size normalised with mean 0.5 and std 0.5; RGB models "
                    + "are center-cropped to 224/256 of the shorter side, resized to the model size and "
                    + "normalised with ImageNet statistics)."
        })
public final class ClassifyImageCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|ID",
            description = "Model folder or Hugging Face Hub id owner/name[@revision]"
                    + " of an image classifier (config.json, model.safetensors). Required.")
    Path model;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            defaultValue = "5",
            description = "Classes to show per image, >= 1; more than the model has shows all (default: "
                    + "${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "16",
            description = "Images per forward pass, >= 1 (default: ${DEFAULT-VALUE}).")
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
            description = "Print one JSON object a line per image instead of text (default: " + "text).")
    boolean json;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files: PNG, JPEG, BMP or GIF.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k (" + topK + ") must be >= 1");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size (" + batchSize + ") must be >= 1");
        }
        List<ImageClassificationPipeline.FileResult> results;
        try (ImageClassificationPipeline pipeline = ImageClassificationPipeline.load(
                model, batchSize, Engine.parse(engine), Runtime.getRuntime().availableProcessors())) {
            results = pipeline.classifyEach(images, Math.min(topK, pipeline.numClasses()));
        }
        PrintWriter out = Output.stdout();
        int failed = 0;
        for (ImageClassificationPipeline.FileResult r : results) {
            if (r.error() != null) {
                failed++;
                System.err.println("error: " + r.error());
            }
            if (json) {
                ObjectNode o = r.error() != null
                        ? Output.object().put("image", r.file().toString()).put("error", r.error())
                        : ResultJson.labels("image", r.file().toString(), r.labels());
                out.println(Output.line(o));
            } else if (r.error() == null) {
                out.println(r.file());
                for (LabelScore s : r.labels()) {
                    out.println(String.format(Locale.ROOT, "  %.4f  %s", s.score(), s.label()));
                }
            }
        }
        out.flush();
        return failed == 0 ? 0 : 2;
    }
}
