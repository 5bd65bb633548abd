package dev.perceiver.train.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.train.DataModule;

/**
 * A task's data together with what the model takes from it.
 *
 * @param module training and validation batches
 * @param modelLinks model config fields determined by the data (e.g. {@code encoder.image_shape},
 *     {@code vocab_size}), as a partial model config tree
 * @param labels class names by id, or null
 * @param unigramEntropy entropy (nats) of the training tokens' unigram distribution, or NaN (non-text tasks)
 * @param tokenizer the text tasks' tokenizer ({@code data.tokenizer}), or null; closed with this record
 */
public record LoadedData(
        DataModule module, ObjectNode modelLinks, String[] labels, double unigramEntropy, Tokenizer tokenizer)
        implements AutoCloseable {
    /** Data of a task without a tokenizer. */
    public LoadedData(DataModule module, ObjectNode modelLinks, String[] labels, double unigramEntropy) {
        this(module, modelLinks, labels, unigramEntropy, null);
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
