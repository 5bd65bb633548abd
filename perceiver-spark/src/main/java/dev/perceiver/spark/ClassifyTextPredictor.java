package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.TextClassificationPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** classify-text: {@code text} -> {@code text}, {@code labels} (as {@code perceiver classify-text --json}). */
final class ClassifyTextPredictor implements RowPredictor {
    private final TextClassificationPipeline pipeline;
    private final int topK;

    ClassifyTextPredictor(InferenceSettings s) throws IOException {
        pipeline = TextClassificationPipeline.load(
                Path.of(s.modelDir()), s.batchSize(), s.engine(), ExecutorModels.sessionThreads(s));
        topK = s.topK();
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) {
        List<String> texts = rows.stream().map(r -> r.value(0)).toList();
        List<List<LabelScore>> results = pipeline.classify(texts, topK);
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            out.add(ResultJson.labels("text", texts.get(i), results.get(i)));
        }
        return out;
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
