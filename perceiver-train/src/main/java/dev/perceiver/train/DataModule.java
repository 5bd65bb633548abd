package dev.perceiver.train;

import ai.djl.ndarray.NDManager;

/**
 * Training and validation batches of a task. The training batch {@code (epoch, index)} must depend only on the data,
 * the seed given at construction, the epoch and the index, so that a resumed run sees the same batches as an
 * uninterrupted one.
 */
public interface DataModule {
    /** Number of training batches per epoch (> 0). */
    int numTrainBatches();

    /** Training batch {@code index} (0-based) of {@code epoch}, created in {@code manager}. */
    Batch trainBatch(NDManager manager, int epoch, int index);

    /** Number of validation batches (> 0). */
    int numValidBatches();

    /** Validation batch {@code index}, created in {@code manager}. */
    Batch validBatch(NDManager manager, int index);

    /** One line describing the data (sizes, source) for the log. */
    String describe();
}
