package dev.perceiver.spark;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.text.TextClassificationPipeline;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.text.TextModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** classify-text: {@code text} -> {@code text}, {@code labels} (as {@code perceiver classify-text --json}). */
final class ClassifyTextPredictor implements RowPredictor {
    private final NDManager manager;
    private final TextModelFolder<TextClassifier> folder;
    private final TextClassificationPipeline pipeline;
    private final int topK;

    ClassifyTextPredictor(InferenceSettings s) throws IOException {
        manager = NDManager.newBaseManager();
        try {
            folder = TextModelFolder.load(
                    Path.of(s.modelDir()), manager, "classify-text", TextModelKinds.TEXT_CLASSIFIER);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        pipeline = new TextClassificationPipeline(folder.model(), folder.tokenizer(), folder.labels(), s.batchSize());
        topK = s.topK();
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) {
        List<String> texts = rows.stream().map(r -> r.value(0)).toList();
        List<List<LabelScore>> results = pipeline.classify(texts, topK);
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode o = JsonFields.object();
            o.put("text", texts.get(i));
            JsonFields.labels(o, results.get(i));
            out.add(o);
        }
        return out;
    }

    @Override
    public void close() {
        folder.close();
        manager.close();
    }
}
