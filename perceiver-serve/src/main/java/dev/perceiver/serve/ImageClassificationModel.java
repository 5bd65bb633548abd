package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Image classification: {@code inputs} a base64 image or an array of them (or a multipart upload, see the server),
 * parameter {@code top_k} (default 5). Requests with equal {@code top_k} share a forward pass.
 */
final class ImageClassificationModel extends ServedModel {
    private final ImageClassificationPipeline pipeline;
    private final Batcher<ItemBatches.Job<BufferedImage>, List<List<LabelScore>>> batcher;

    ImageClassificationModel(
            String id,
            String modelType,
            ImageClassificationPipeline pipeline,
            ServeOptions options,
            Executor worker,
            ServerMetrics metrics) {
        super(id, "image-classification", modelType, pipeline.model().numParameters(), options);
        this.pipeline = pipeline;
        this.batcher = ItemBatches.batcher(id, options, pipeline::classify, worker, metrics);
    }

    @Override
    JsonNode infer(InferenceRequest request) throws Exception {
        JsonNode inputs = request.inputs();
        List<BufferedImage> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (inputs.isArray()) {
            if (inputs.isEmpty() || inputs.size() > options.maxBatchSize()) {
                throw ApiException.invalid(
                        "inputs", "'inputs' must hold 1.." + options.maxBatchSize() + " images, got " + inputs.size());
            }
            for (int i = 0; i < inputs.size(); i++) {
                String field = "inputs[" + i + "]";
                images.add(ImageInput.decode(ImageInput.base64(inputs.get(i), field), field, options.maxImagePixels()));
                names.add(field);
            }
        } else {
            images.add(ImageInput.decode(ImageInput.base64(inputs, "inputs"), "inputs", options.maxImagePixels()));
            names.add("inputs");
        }
        int classes = pipeline.numClasses();
        int topK = Math.min(request.intParam("top_k", 5, 1, 1_000_000), classes);
        request.finish();
        List<List<LabelScore>> results = await(batcher.submit(new ItemBatches.Job<>(images, topK)));
        if (!inputs.isArray()) {
            return ResultJson.labels("image", names.get(0), results.get(0));
        }
        ArrayNode out = ResultJson.MAPPER.createArrayNode();
        for (int i = 0; i < images.size(); i++) {
            out.add(ResultJson.labels("image", names.get(i), results.get(i)));
        }
        return out;
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
