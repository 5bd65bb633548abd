package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.FillMaskPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** fill-mask: {@code text} -> {@code text}, {@code masks}, {@code filled_texts} (as {@code fill-mask --json}). */
final class FillMaskPredictor implements RowPredictor {
    private final FillMaskPipeline pipeline;
    private final int topK;

    FillMaskPredictor(InferenceSettings s) throws IOException {
        pipeline = FillMaskPipeline.load(
                Path.of(s.modelDir()), s.batchSize(), s.engine(), ExecutorModels.sessionThreads(s));
        topK = s.topK();
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) {
        List<String> texts = rows.stream().map(r -> r.value(0)).toList();
        return pipeline.fill(texts, topK).stream().map(ResultJson::fillMask).toList();
    }

    @Override
    public Engine engine() {
        return pipeline.engine();
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
