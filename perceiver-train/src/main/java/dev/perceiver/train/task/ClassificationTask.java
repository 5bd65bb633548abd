package dev.perceiver.train.task;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.inference.vision.ImageProcessorConfig;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
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
    private final Tokenizer tokenizer;
    private final ImageProcessorConfig processor;

    /**
     * @param labels class names by id (saved as id2label), or null
     * @param tokenizer the tokenizer whose files are saved with a text classifier, or null (images)
     */
    public ClassificationTask(PerceiverIO model, String[] labels, Tokenizer tokenizer) {
        this(model, labels, tokenizer, null);
    }

    /**
     * @param labels class names by id (saved as id2label), or null
     * @param tokenizer the tokenizer whose files are saved with a text classifier, or null (images)
     * @param processor the image processor saved as {@code preprocessor_config.json} with an image classifier, so
     *     that inference prepares images as training did; or null
     */
    public ClassificationTask(PerceiverIO model, String[] labels, Tokenizer tokenizer, ImageProcessorConfig processor) {
        this.model = model;
        this.labels = labels;
        this.tokenizer = tokenizer;
        this.processor = processor;
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
        if (tokenizer != null) {
            tokenizer.save(dir);
        }
        if (processor != null) {
            AtomicFiles.writeString(
                    dir.resolve(ImageProcessorConfig.FILE), ConfigJson.toString(processor.toJson()) + "\n");
        }
    }
}
