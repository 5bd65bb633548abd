package dev.perceiver.train.task;

import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Tensors;
import dev.perceiver.train.Batch;
import dev.perceiver.train.DataModule;
import dev.perceiver.train.data.ClassificationBatch;
import dev.perceiver.train.data.ClassificationCollator;
import dev.perceiver.train.data.TextClassificationData;

/** Text classification batches: token ids (b, n) right-padded, pad mask, labels (b). */
public final class TextClassificationDataModule implements DataModule {
    private final TextClassificationData train;
    private final TextClassificationData valid;
    private final ClassificationCollator collator;
    private final IndexedBatches batches;
    private final String source;

    public TextClassificationDataModule(
            TextClassificationData train,
            TextClassificationData valid,
            ClassificationCollator collator,
            int batchSize,
            int validBatchSize,
            boolean shuffle,
            long seed,
            String source) {
        this.train = train;
        this.valid = valid;
        this.collator = collator;
        this.batches = new IndexedBatches(train.size(), valid.size(), batchSize, validBatchSize, shuffle, seed);
        this.source = source;
    }

    @Override
    public int numTrainBatches() {
        return batches.numTrain();
    }

    @Override
    public Batch trainBatch(NDManager manager, int epoch, int index) {
        return toBatch(manager, collator.collate(train.examples(batches.train(epoch, index))));
    }

    @Override
    public int numValidBatches() {
        return batches.numValid();
    }

    @Override
    public Batch validBatch(NDManager manager, int index) {
        return toBatch(manager, collator.collate(valid.examples(batches.valid(index))));
    }

    private static Batch toBatch(NDManager m, ClassificationBatch b) {
        return new Batch(
                BatchArrays.longs(m, b.x()),
                Tensors.owned(m, b.y(), new ai.djl.ndarray.types.Shape(b.y().length)),
                BatchArrays.anyTrue(b.padMask()) ? BatchArrays.booleans(m, b.padMask()) : null,
                b.batchSize());
    }

    @Override
    public String describe() {
        return source + ": " + train.size() + " training and " + valid.size() + " validation texts, "
                + train.numClasses() + " classes";
    }
}
