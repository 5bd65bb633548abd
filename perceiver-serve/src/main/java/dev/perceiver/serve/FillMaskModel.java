package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.FillMaskResult;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Fill-mask with a masked language model: {@code inputs} a text with {@code [MASK]} tokens (or an array of texts),
 * parameter {@code top_k} (default 5). Requests with equal {@code top_k} share a forward pass.
 */
final class FillMaskModel extends ServedModel {
    private final FillMaskPipeline pipeline;
    private final Batcher<ItemBatches.Job<String>, List<FillMaskResult>> batcher;

    FillMaskModel(
            String id,
            String modelType,
            FillMaskPipeline pipeline,
            ServeOptions options,
            Executor worker,
            ServerMetrics metrics) {
        super(id, "fill-mask", modelType, pipeline.model().numParameters(), options);
        this.pipeline = pipeline;
        this.batcher = ItemBatches.batcher(id, options, pipeline::fill, worker, metrics);
    }

    @Override
    JsonNode infer(InferenceRequest request) throws Exception {
        List<String> texts = request.texts(options.maxTextChars(), options.maxBatchSize());
        int topK = request.intParam("top_k", 5, 1, 1_000_000);
        request.finish();
        List<FillMaskResult> results = await(batcher.submit(new ItemBatches.Job<>(texts, topK)));
        if (!request.inputs().isArray()) {
            return ResultJson.fillMask(results.get(0));
        }
        ArrayNode out = ResultJson.MAPPER.createArrayNode();
        results.forEach(r -> out.add(ResultJson.fillMask(r)));
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
