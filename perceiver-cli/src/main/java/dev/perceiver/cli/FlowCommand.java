package dev.perceiver.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.vision.FlowField;
import dev.perceiver.inference.vision.FlowFiles;
import dev.perceiver.inference.vision.FlowRenderer;
import dev.perceiver.inference.vision.OpticalFlowPipeline;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perceiver flow --model DIR --output-png OUT FRAME1 FRAME2}: optical flow between two frames. */
@Command(
        name = "flow",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Compute the optical flow from FRAME1 to FRAME2 with a Perceiver IO optical flow model.",
            "The frames are image files of the same size, at least the model's image_shape. Larger "
                    + "frames are processed in overlapping tiles of the model's size and blended. Writes the "
                    + "flow as a colour-coded PNG (hue: direction, saturation: magnitude) and optionally as a "
                    + "Middlebury .flo file, and prints the flow's shape and statistics (u to the right, v "
                    + "downwards, in pixels)."
        })
public final class FlowCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|ID",
            description = "Model folder or Hugging Face Hub id owner/name[@revision]"
                    + " of an optical flow model (config.json, model.safetensors). Required.")
    Path model;

    @Option(
            names = "--output-png",
            required = true,
            paramLabel = "OUT.png",
            description = "Colour-coded flow image to write (replaced atomically). Required.")
    Path outputPng;

    @Option(
            names = "--output-flo",
            paramLabel = "OUT.flo",
            description = "Also write the flow as a Middlebury .flo file (default: none).")
    Path outputFlo;

    @Option(
            names = "--max-magnitude",
            paramLabel = "PIXELS",
            description = "Flow magnitude drawn at full saturation, > 0 (default: 24, as the reference renders).")
    Double maxMagnitude;

    @Option(
            names = "--normalize",
            description = "Draw the field's largest magnitude at full saturation instead (default: off).")
    boolean normalize;

    @Option(
            names = "--min-overlap",
            paramLabel = "PIXELS",
            defaultValue = "20",
            description = "Minimum overlap of neighbouring tiles, smaller than the model's image_shape (default: "
                    + "${DEFAULT-VALUE}, the reference's).")
    int minOverlap;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "1",
            description = "Tiles per forward pass, >= 1 (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--engine",
            defaultValue = "auto",
            paramLabel = "libtorch|onnxruntime|auto",
            description = "Engine of the forward passes (default: ${DEFAULT-VALUE}: ONNX Runtime on a graph exported"
                    + " from the model where it loads, the faster one on CPUs; see README, Optical flow).")
    String engine;

    @Option(names = "--json", description = "Print one line of JSON instead of text (default: text).")
    boolean json;

    @Parameters(index = "0", paramLabel = "FRAME1", description = "First frame: PNG, JPEG, BMP or GIF.")
    Path frame1;

    @Parameters(index = "1", paramLabel = "FRAME2", description = "Second frame, the same size as the first.")
    Path frame2;

    @Override
    public Integer call() throws Exception {
        java.util.Map<String, Path> inputs = new java.util.LinkedHashMap<>();
        inputs.put("FRAME1", frame1);
        inputs.put("FRAME2", frame2);
        java.util.Map<String, Path> outputs = new java.util.LinkedHashMap<>();
        outputs.put("--output-png", outputPng);
        outputs.put("--output-flo", outputFlo);
        OutputPaths.check(inputs, outputs);
        if (normalize && maxMagnitude != null) {
            throw new IllegalArgumentException(
                    "--normalize and --max-magnitude (" + maxMagnitude + ") cannot be combined");
        }
        double scale = maxMagnitude == null ? FlowRenderer.REFERENCE_MAX_MAGNITUDE : maxMagnitude;
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("--max-magnitude (" + scale + ") must be a number > 0");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size (" + batchSize + ") must be >= 1");
        }
        Engine chosen = Engine.parse(engine);
        FlowField flow;
        int tiles;
        int[] tileShape;
        try (OpticalFlowPipeline pipeline = OpticalFlowPipeline.load(
                model, minOverlap, batchSize, chosen, Runtime.getRuntime().availableProcessors())) {
            flow = pipeline.flow(frame1, frame2);
            tiles = pipeline.tiles(flow.height(), flow.width()).tiles().size();
            tileShape = pipeline.imageShape();
        }
        BufferedImage image = normalize ? FlowRenderer.render(flow) : FlowRenderer.render(flow, scale);
        FlowRenderer.writePng(image, outputPng);
        if (outputFlo != null) {
            FlowFiles.write(outputFlo, flow);
        }
        FlowField.Stats s = flow.stats();
        PrintWriter out = Output.stdout();
        if (json) {
            out.println(Output.line(toJson(flow, tiles, tileShape)));
        } else {
            out.println(String.format(
                    Locale.ROOT,
                    "flow %dx%d (height x width) from %s to %s, %d tile%s of %dx%d",
                    flow.height(),
                    flow.width(),
                    frame1,
                    frame2,
                    tiles,
                    tiles == 1 ? "" : "s",
                    tileShape[0],
                    tileShape[1]));
            out.println(String.format(
                    Locale.ROOT, "  u (right): min %.3f  max %.3f  mean %.3f", s.uMin(), s.uMax(), s.uMean()));
            out.println(String.format(
                    Locale.ROOT, "  v (down):  min %.3f  max %.3f  mean %.3f", s.vMin(), s.vMax(), s.vMean()));
            out.println(String.format(
                    Locale.ROOT, "  magnitude: mean %.3f  max %.3f pixels", s.magnitudeMean(), s.magnitudeMax()));
            out.println("wrote " + outputPng);
            if (outputFlo != null) {
                out.println("wrote " + outputFlo);
            }
        }
        out.flush();
        return 0;
    }

    private ObjectNode toJson(FlowField flow, int tiles, int[] tileShape) {
        ObjectNode o = Output.object();
        o.put("model", model.toString());
        o.put("frame1", frame1.toString());
        o.put("frame2", frame2.toString());
        o.setAll(ResultJson.flowStats(flow));
        o.put("tiles", tiles);
        o.putArray("tile_shape").add(tileShape[0]).add(tileShape[1]);
        o.put("output_png", outputPng.toString());
        if (outputFlo == null) {
            o.putNull("output_flo");
        } else {
            o.put("output_flo", outputFlo.toString());
        }
        return o;
    }
}
