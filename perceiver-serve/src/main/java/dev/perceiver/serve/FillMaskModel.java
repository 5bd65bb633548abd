package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.FillMaskResult;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Fill-mask with a masked language model: {@code inputs} a text with {@code [MASK]} tokens (or an array of texts),
 * parameter {@code top_k} (default 5). Requests with equal {@code top_k} share a forward pass.
 */
final class FillMaskModel extends ServedModel {
    private final TextModelFolder<MaskedLanguageModel> folder;
    private final Batcher<ItemBatches.Job<String>, List<FillMaskResult>> batcher;

    FillMaskModel(
            String id,
            TextModelFolder<MaskedLanguageModel> folder,
            ServeOptions options,
            Executor worker,
            ServerMetrics metrics) {
        super(
                id,
                "fill-mask",
                folder.folder().kind().modelType(),
                folder.model().numParameters(),
                options);
        this.folder = folder;
        FillMaskPipeline pipeline = new FillMaskPipeline(folder.model(), folder.tokenizer(), options.maxBatchSize());
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
    public void close() {
        batcher.close();
        folder.close();
    }
}
