package dev.perceiver.train.task;

import ai.djl.ndarray.NDArray;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.nn.Module;
import dev.perceiver.train.Batch;
import dev.perceiver.train.Losses;
import dev.perceiver.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Causal language modelling with Perceiver AR (text or symbolic audio): a sequence of n tokens has prefix length
 * {@code max(0, n - max_latents)}; the loss is the cross-entropy of the latent positions' logits against the
 * next tokens (labels already shifted by the data, -100 at padding).
 */
public final class CausalLmTask implements TrainingTask {
    private final CausalSequenceModel model;
    private final Tokenizer tokenizer;

    /** @param tokenizer the tokenizer whose files are saved with the model (text models), or null */
    public CausalLmTask(CausalSequenceModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    @Override
    public Module model() {
        return model;
    }

    @Override
    public StepOutput step(Batch batch) {
        long n = batch.x().getShape().get(1);
        int prefix = (int) Math.max(0, n - model.config().maxLatents());
        NDArray logits =
                model.forwardLogits(batch.x(), prefix, batch.padMask(), null).logits();
        NDArray labels = batch.y().get(":, " + prefix + ":");
        return new StepOutput(Losses.crossEntropy(logits, labels), 0, batch.size());
    }

    @Override
    public boolean hasAccuracy() {
        return false;
    }

    @Override
    public void seedStep(long seed) {
        model.setDropoutSeed(seed);
    }

    @Override
    public void writeExtraFiles(Path dir) throws IOException {
        if (tokenizer != null) {
            tokenizer.save(dir);
        }
    }
}
