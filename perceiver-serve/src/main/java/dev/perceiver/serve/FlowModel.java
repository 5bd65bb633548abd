package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.vision.FlowField;
import dev.perceiver.inference.vision.FlowRenderer;
import dev.perceiver.inference.vision.OpticalFlowPipeline;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Optical flow: {@code inputs} two base64 frames of the same size (an array, or multipart fields {@code frame1},
 * {@code frame2}). The answer holds the statistics of {@code flow --json}, the colour-coded flow as a base64 PNG
 * ({@code png}) and the raw flow ({@code raw}: base64 of height x width x 2 float32 little-endian, u then v per
 * pixel). Parameter {@code normalize} (default true): scale the colours to the largest motion, as the command
 * line's default.
 */
final class FlowModel extends ServedModel {
    private record Job(BufferedImage frame1, BufferedImage frame2) {}

    private final OpticalFlowPipeline pipeline;
    private final Batcher<Job, FlowField> batcher;

    FlowModel(
            String id,
            String modelType,
            OpticalFlowPipeline pipeline,
            ServeOptions options,
            Executor worker,
            ServerMetrics metrics) {
        super(id, "optical-flow", modelType, pipeline.model().numParameters(), options);
        this.pipeline = pipeline;
        this.batcher = new Batcher<>(
                id,
                options,
                job -> null,
                jobs -> {
                    metrics.batch(id, 1, 0, 0);
                    return List.of(
                            pipeline.flow(jobs.get(0).frame1(), jobs.get(0).frame2()));
                },
                worker,
                metrics);
    }

    @Override
    JsonNode infer(InferenceRequest request) throws Exception {
        JsonNode inputs = request.inputs();
        if (!inputs.isArray() || inputs.size() != 2) {
            throw ApiException.invalid(
                    "inputs",
                    "'inputs' must be an array of two base64 frames, got " + InferenceRequest.type(inputs)
                            + (inputs.isArray() ? " of " + inputs.size() : ""));
        }
        BufferedImage f1 =
                ImageInput.decode(ImageInput.base64(inputs.get(0), "inputs[0]"), "inputs[0]", options.maxImagePixels());
        BufferedImage f2 =
                ImageInput.decode(ImageInput.base64(inputs.get(1), "inputs[1]"), "inputs[1]", options.maxImagePixels());
        boolean normalize = request.boolParam("normalize", true);
        request.finish();
        int[] shape = pipeline.imageShape();
        if (f1.getWidth() != f2.getWidth() || f1.getHeight() != f2.getHeight()) {
            throw ApiException.invalid(
                    "inputs",
                    "frames differ in size: " + f1.getWidth() + "x" + f1.getHeight() + " and " + f2.getWidth() + "x"
                            + f2.getHeight());
        }
        if (f1.getHeight() < shape[0] || f1.getWidth() < shape[1]) {
            throw ApiException.invalid(
                    "inputs",
                    "frames of " + f1.getWidth() + "x" + f1.getHeight() + " are smaller than the model's " + shape[1]
                            + "x" + shape[0] + " (width x height)");
        }
        FlowField flow = await(batcher.submit(new Job(f1, f2)));
        ObjectNode o = ResultJson.flowStats(flow);
        BufferedImage png =
                normalize ? FlowRenderer.render(flow) : FlowRenderer.render(flow, FlowRenderer.REFERENCE_MAX_MAGNITUDE);
        o.put("png", Base64.getEncoder().encodeToString(png(png)));
        ByteBuffer raw = ByteBuffer.allocate(flow.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(flow.data());
        o.put("raw", Base64.getEncoder().encodeToString(raw.array()));
        o.put("raw_format", "float32 little-endian, shape [height, width, 2] (u, v)");
        return o;
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!javax.imageio.ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer");
        }
        return out.toByteArray();
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
