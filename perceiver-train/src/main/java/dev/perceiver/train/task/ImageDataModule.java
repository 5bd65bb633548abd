package dev.perceiver.train.task;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;
import dev.perceiver.train.Batch;
import dev.perceiver.train.DataModule;
import dev.perceiver.train.data.IdxDataset;

/** Image classification batches from IDX data sets: images (b, h, w, 1) normalised to [-1, 1], labels (b). */
public final class ImageDataModule implements DataModule {
    private final IdxDataset train;
    private final IdxDataset valid;
    private final IndexedBatches batches;
    private final String source;

    public ImageDataModule(
            IdxDataset train,
            IdxDataset valid,
            int batchSize,
            int validBatchSize,
            boolean shuffle,
            long seed,
            String source) {
        this.train = train;
        this.valid = valid;
        this.batches = new IndexedBatches(train.size(), valid.size(), batchSize, validBatchSize, shuffle, seed);
        this.source = source;
    }

    public IdxDataset train() {
        return train;
    }

    @Override
    public int numTrainBatches() {
        return batches.numTrain();
    }

    @Override
    public Batch trainBatch(NDManager manager, int epoch, int index) {
        return toBatch(manager, train.batch(batches.train(epoch, index)));
    }

    @Override
    public int numValidBatches() {
        return batches.numValid();
    }

    @Override
    public Batch validBatch(NDManager manager, int index) {
        return toBatch(manager, valid.batch(batches.valid(index)));
    }

    private static Batch toBatch(NDManager m, IdxDataset.Batch b) {
        return new Batch(
                Tensors.owned(m, b.x(), new Shape(b.xShape())),
                Tensors.owned(m, b.y(), new Shape(b.y().length)),
                null,
                b.batchSize());
    }

    @Override
    public String describe() {
        return source + ": " + train.size() + " training and " + valid.size() + " validation images " + train.height()
                + "x" + train.width() + ", " + train.numClasses() + " classes";
    }
}
