package dev.perceiver.tools.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.engine.ModelRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import dev.perceiver.train.Batch;
import dev.perceiver.train.Trainer;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.optim.AdamW;
import dev.perceiver.train.optim.AdamWConfig;
import dev.perceiver.train.task.ClassificationTask;
import java.util.Random;

/**
 * img-train and img-infer: the image classifier on a batch of random images. Training: the project's training
 * step ({@link Trainer#forwardBackward}, mean cross-entropy of {@link ClassificationTask}, then
 * {@link Trainer#update} with AdamW lr 1e-3, no clipping), dropout on. Inference: forward in eval mode.
 */
final class ImageCase extends BenchCase {
    /** Learning rate of img-train. */
    static final double LR = 1e-3;

    private final boolean training;
    private final ImageClassifier model;
    private final ClassificationTask task;
    private final AdamW optimizer;
    private final NDArray images;
    private final NDArray labels;
    private final int batch;
    private final long forwardFlops;
    private final ModelRunner runner;

    ImageCase(NDManager base, BenchOptions o, boolean training) {
        super(base, o.seed());
        this.training = training;
        PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config =
                WorkloadModels.imageClassifier(o.scale());
        model = VisionModelKinds.IMAGE_CLASSIFIER.create(manager, config);
        model.setTraining(training);
        batch = WorkloadModels.sizes(o.scale()).imageBatch();
        int[] shape = config.encoder().imageShape();
        long[] dims = new long[shape.length + 1];
        dims[0] = batch;
        for (int i = 0; i < shape.length; i++) {
            dims[i + 1] = shape[i];
        }
        images = uniform(dims);
        labels = randomIds(new Random(o.seed()), 1, batch, 0, config.decoder().numClasses())
                .reshape(batch);
        task = new ClassificationTask(model, null, null);
        if (training) {
            optimizer = new AdamW(trainable(model), AdamWConfig.defaults().withLr(LR));
            optimizer.attachGradients();
        } else {
            optimizer = null;
        }
        forwardFlops = MatmulFlops.imageClassifier(config);
        runner = training ? null : ModelRunners.open(model, o.engine(), o.threads());
    }

    @Override
    float run() {
        if (!training) {
            return firstFinite(runner.forward(images, null), "img-infer logits");
        }
        TrainingTask.StepOutput out = Trainer.forwardBackward(task, new Batch(images, labels, null, batch), 1);
        float loss = firstFinite(out.loss(), "img-train loss");
        Trainer.update(optimizer, 0, LR);
        return loss;
    }

    @Override
    long itemsPerRep() {
        return batch;
    }

    @Override
    long flopsPerItem() {
        return training ? 3 * forwardFlops : forwardFlops;
    }

    @Override
    Module model() {
        return model;
    }

    @Override
    String engine() {
        return runner == null ? "libtorch" : runner.engine().label();
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
        if (optimizer != null) {
            optimizer.clear();
        }
        super.close();
    }
}
