package dev.perceiver.train.task;

import ai.djl.ndarray.NDManager;
import dev.perceiver.train.Batch;
import dev.perceiver.train.DataModule;
import dev.perceiver.train.data.EpochOrder;
import dev.perceiver.train.data.LmBatch;
import java.util.Random;

/**
 * Language-model batches (masked or causal) from a collation function of example indices and a random source. The
 * random source of training batch (epoch, i) is drawn from (seed, epoch, i) and that of validation batch i from a
 * fixed seed, so validation masks are the same at every validation.
 */
public final class LmDataModule implements DataModule {
    /** Builds a batch of the given examples. */
    @FunctionalInterface
    public interface Collate {
        LmBatch apply(int[] indices, Random random, boolean train);
    }

    private final IndexedBatches batches;
    private final Collate collate;
    private final long seed;
    private final String description;

    public LmDataModule(
            int trainSize,
            int validSize,
            int batchSize,
            int validBatchSize,
            boolean shuffle,
            long seed,
            Collate collate,
            String description) {
        this.batches = new IndexedBatches(trainSize, validSize, batchSize, validBatchSize, shuffle, seed);
        this.collate = collate;
        this.seed = seed;
        this.description = description;
    }

    @Override
    public int numTrainBatches() {
        return batches.numTrain();
    }

    @Override
    public Batch trainBatch(NDManager manager, int epoch, int index) {
        return toBatch(
                manager, collate.apply(batches.train(epoch, index), EpochOrder.random(seed, epoch, index + 1), true));
    }

    @Override
    public int numValidBatches() {
        return batches.numValid();
    }

    @Override
    public Batch validBatch(NDManager manager, int index) {
        return toBatch(manager, collate.apply(batches.valid(index), EpochOrder.random(0, -1, index + 1), false));
    }

    private static Batch toBatch(NDManager m, LmBatch b) {
        return new Batch(
                BatchArrays.longs(m, b.x()),
                BatchArrays.longs(m, b.labels()),
                BatchArrays.anyTrue(b.padMask()) ? BatchArrays.booleans(m, b.padMask()) : null,
                b.batchSize());
    }

    @Override
    public String describe() {
        return description;
    }
}
