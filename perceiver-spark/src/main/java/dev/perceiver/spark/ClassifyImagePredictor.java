package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** classify-image: {@code image} (a file path) -> {@code image}, {@code labels} (as {@code classify-image --json}). */
final class ClassifyImagePredictor implements RowPredictor {
    private final ImageClassificationPipeline pipeline;
    private final int topK;

    ClassifyImagePredictor(InferenceSettings s) throws IOException {
        pipeline = ImageClassificationPipeline.load(
                Path.of(s.modelDir()), s.batchSize(), s.engine(), ExecutorModels.sessionThreads(s));
        topK = Math.min(s.topK(), pipeline.numClasses());
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) throws IOException {
        List<Path> files = rows.stream().map(r -> Path.of(r.value(0))).toList();
        List<List<LabelScore>> results = pipeline.classifyFiles(files, topK);
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            out.add(ResultJson.labels("image", rows.get(i).value(0), results.get(i)));
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
