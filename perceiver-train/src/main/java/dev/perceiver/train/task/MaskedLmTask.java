package dev.perceiver.train.task;

import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.train.Batch;
import dev.perceiver.train.Losses;
import dev.perceiver.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Path;

/** Masked language modelling: logits (b, n, vocab), cross-entropy on the masked positions (labels -100 elsewhere). */
public final class MaskedLmTask implements TrainingTask {
    private final MaskedLanguageModel model;
    private final Tokenizer tokenizer;

    /** @param tokenizer the tokenizer whose files are saved with the model */
    public MaskedLmTask(MaskedLanguageModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    @Override
    public Module model() {
        return model;
    }

    @Override
    public StepOutput step(Batch batch) {
        return new StepOutput(
                Losses.crossEntropy(model.forward(batch.x(), batch.padMask()), batch.y()), 0, batch.size());
    }

    @Override
    public boolean hasAccuracy() {
        return false;
    }

    @Override
    public void writeExtraFiles(Path dir) throws IOException {
        tokenizer.save(dir);
    }
}
