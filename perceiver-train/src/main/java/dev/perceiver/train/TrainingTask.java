package dev.perceiver.train;

import ai.djl.ndarray.NDArray;
import dev.perceiver.nn.Module;

/** A model together with its loss: what the trainer optimises. */
public interface TrainingTask {
    /** The model being trained. */
    Module model();

    /** Forward pass and loss of one batch (inside the caller's gradient collector while training). */
    StepOutput step(Batch batch);

    /** Whether {@link StepOutput#correct()} is meaningful (classification). */
    boolean hasAccuracy();

    /** Extra config.json entries of a saved model folder (e.g. id2label). */
    default java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> configExtras() {
        return java.util.Map.of();
    }

    /** Writes extra files (e.g. tokenizer files) into a model folder being saved; each written atomically. */
    default void writeExtraFiles(java.nio.file.Path dir) throws java.io.IOException {}

    /** Seeds task-specific randomness (e.g. Perceiver AR prefix dropout) for one training micro-step. */
    default void seedStep(long seed) {}

    /**
     * Loss and accuracy counts of one batch.
     *
     * @param loss scalar mean loss
     * @param correct correctly classified examples (0 without accuracy)
     * @param count examples the batch counts for in averages
     */
    record StepOutput(NDArray loss, long correct, long count) {}
}
