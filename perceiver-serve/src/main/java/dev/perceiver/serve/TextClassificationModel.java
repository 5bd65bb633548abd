package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.TextClassificationPipeline;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Text classification: {@code inputs} a text or an array of texts, parameter {@code top_k} (default: all classes).
 * Requests with equal {@code top_k} share a forward pass.
 */
final class TextClassificationModel extends ServedModel {
    private final TextClassificationPipeline pipeline;
    private final int numClasses;
    private final Batcher<ItemBatches.Job<String>, List<List<LabelScore>>> batcher;

    TextClassificationModel(
            String id,
            String modelType,
            TextClassificationPipeline pipeline,
            ServeOptions options,
            Executor worker,
            ServerMetrics metrics) {
        super(id, "text-classification", modelType, pipeline.model().numParameters(), options);
        this.pipeline = pipeline;
        this.numClasses = pipeline.model().config().decoder().numClasses();
        this.batcher = ItemBatches.batcher(id, options, pipeline::classify, worker, metrics);
    }

    @Override
    JsonNode infer(InferenceRequest request) throws Exception {
        List<String> texts = request.texts(options.maxTextChars(), options.maxBatchSize());
        int topK = request.intParam("top_k", numClasses, 1, numClasses);
        request.finish();
        List<List<LabelScore>> results = await(batcher.submit(new ItemBatches.Job<>(texts, topK)));
        if (!request.inputs().isArray()) {
            return ResultJson.labels("text", texts.get(0), results.get(0));
        }
        ArrayNode out = ResultJson.MAPPER.createArrayNode();
        for (int i = 0; i < texts.size(); i++) {
            out.add(ResultJson.labels("text", texts.get(i), results.get(i)));
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
