package dev.perceiver.train.task;

import dev.perceiver.train.data.EpochOrder;
import java.util.List;

/**
 * Batches of example indices: training batches in a per-epoch order drawn from (seed, epoch), validation batches
 * in data order. The last batch of an epoch may be smaller.
 */
final class IndexedBatches {
    private final int trainSize;
    private final int validSize;
    private final int batchSize;
    private final int validBatchSize;
    private final boolean shuffle;
    private final long seed;
    private int cachedEpoch = -1;
    private List<int[]> cached;

    IndexedBatches(int trainSize, int validSize, int batchSize, int validBatchSize, boolean shuffle, long seed) {
        if (trainSize == 0) {
            throw new IllegalArgumentException("the training data is empty");
        }
        if (validSize == 0) {
            throw new IllegalArgumentException("the validation data is empty");
        }
        this.trainSize = trainSize;
        this.validSize = validSize;
        this.batchSize = batchSize;
        this.validBatchSize = validBatchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    int numTrain() {
        return (trainSize + batchSize - 1) / batchSize;
    }

    int numValid() {
        return (validSize + validBatchSize - 1) / validBatchSize;
    }

    int[] train(int epoch, int index) {
        if (epoch != cachedEpoch) {
            cached = EpochOrder.batches(EpochOrder.order(trainSize, shuffle, seed, epoch), batchSize, false);
            cachedEpoch = epoch;
        }
        return cached.get(index);
    }

    int[] valid(int index) {
        int start = index * validBatchSize;
        int end = Math.min(validSize, start + validBatchSize);
        int[] out = new int[end - start];
        for (int i = 0; i < out.length; i++) {
            out[i] = start + i;
        }
        return out;
    }
}
