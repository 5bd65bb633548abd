package dev.perceiver.cli;

import dev.perceiver.inference.LabelScore;
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
        description = "Classify image files with a Perceiver IO image classifier folder and print the top-k classes of "
                + "each with softmax probabilities. Images are converted to the model's channels (grayscale or "
                + "RGB), cropped, resized and normalised as its preprocessor_config.json says (without one: "
                + "grayscale models take images of their exact size normalised with mean 0.5 and std 0.5; RGB "
                + "models are center-cropped to 224/256 of the shorter side, resized to the model size and "
                + "normalised with ImageNet statistics).")
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
        List<List<LabelScore>> results;
        try (ImageClassificationPipeline pipeline = ImageClassificationPipeline.load(model, batchSize)) {
            results = pipeline.classifyFiles(images, Math.min(topK, pipeline.numClasses()));
        }
        PrintWriter out = Output.stdout();
        for (int i = 0; i < images.size(); i++) {
            if (json) {
                out.println(Output.line(ResultJson.labels("image", images.get(i).toString(), results.get(i))));
            } else {
                out.println(images.get(i));
                for (LabelScore s : results.get(i)) {
                    out.println(String.format(Locale.ROOT, "  %.4f  %s", s.score(), s.label()));
                }
            }
        }
        out.flush();
        return 0;
    }
}
