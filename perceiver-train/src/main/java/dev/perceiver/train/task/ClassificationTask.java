package dev.perceiver.train.task;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.nn.Module;
import dev.perceiver.train.Batch;
import dev.perceiver.train.Losses;
import dev.perceiver.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Image or text classification: logits (b, num_classes) of a Perceiver IO classifier, mean cross-entropy, accuracy. */
public final class ClassificationTask implements TrainingTask {
    private final PerceiverIO model;
    private final String[] labels;
    private final int tokenizerMaxLength;

    /**
     * @param labels class names by id (saved as id2label), or null
     * @param tokenizerMaxLength max sequence length for the tokenizer files of a text classifier, or 0 (images)
     */
    public ClassificationTask(PerceiverIO model, String[] labels, int tokenizerMaxLength) {
        this.model = model;
        this.labels = labels;
        this.tokenizerMaxLength = tokenizerMaxLength;
    }

    @Override
    public Module model() {
        return model;
    }

    @Override
    public StepOutput step(Batch batch) {
        NDArray logits = model.forward(batch.x(), batch.padMask());
        return new StepOutput(Losses.crossEntropy(logits, batch.y()), Losses.correct(logits, batch.y()), batch.size());
    }

    @Override
    public boolean hasAccuracy() {
        return true;
    }

    @Override
    public Map<String, JsonNode> configExtras() {
        return labels == null ? Map.of() : ModelFolder.labelEntries(labels);
    }

    @Override
    public void writeExtraFiles(Path dir) throws IOException {
        if (tokenizerMaxLength > 0) {
            PerceiverBytesTokenizer.writeFiles(dir);
        }
    }
}
