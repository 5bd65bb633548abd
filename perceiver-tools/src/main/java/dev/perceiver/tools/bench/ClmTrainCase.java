package dev.perceiver.tools.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.train.Batch;
import dev.perceiver.train.Trainer;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.optim.AdamW;
import dev.perceiver.train.optim.AdamWConfig;
import dev.perceiver.train.task.CausalLmTask;
import java.util.Random;

/**
 * clm-train: one training step of the Perceiver AR causal LM on random token sequences, through the project's
 * training step ({@link CausalLmTask}: prefix_len = n - max_latents, loss on the latent positions' next tokens;
 * AdamW lr 1e-4, no clipping), dropout (cross_attention_dropout of the prefix) on.
 */
final class ClmTrainCase extends BenchCase {
    /** Learning rate of clm-train. */
    static final double LR = 1e-4;

    private final CausalLanguageModel model;
    private final CausalLmTask task;
    private final AdamW optimizer;
    private final NDArray x;
    private final NDArray y;
    private final int batch;
    private final int latents;
    private final long forwardFlopsPerSequence;

    ClmTrainCase(NDManager base, BenchOptions o) {
        super(base, o.seed());
        PerceiverARConfig config = WorkloadModels.causalLanguageModel(o.scale());
        WorkloadModels.Sizes s = WorkloadModels.sizes(o.scale());
        model = TextModelKinds.CAUSAL_LANGUAGE_MODEL.create(manager, config);
        model.setTraining(true);
        task = new CausalLmTask(model, null);
        task.seedStep(o.seed());
        batch = s.clmBatch();
        int n = s.clmSeqLen();
        int prefix = n - config.maxLatents();
        latents = n - prefix;
        NDArray tokens = randomIds(new Random(o.seed()), batch, n + 1, FIRST_BYTE_TOKEN, config.vocabSize());
        x = tokens.get(":, :" + n);
        y = tokens.get(":, 1:");
        optimizer = new AdamW(trainable(model), AdamWConfig.defaults().withLr(LR));
        optimizer.attachGradients();
        forwardFlopsPerSequence = MatmulFlops.perceiverAr(config, n, prefix, true);
    }

    @Override
    float run() {
        TrainingTask.StepOutput out = Trainer.forwardBackward(task, new Batch(x, y, null, batch), 1);
        float loss = firstFinite(out.loss(), "clm-train loss");
        Trainer.update(optimizer, 0, LR);
        return loss;
    }

    @Override
    long itemsPerRep() {
        return (long) batch * latents;
    }

    @Override
    long flopsPerItem() {
        return 3 * forwardFlopsPerSequence / latents;
    }

    @Override
    Module model() {
        return model;
    }

    @Override
    public void close() {
        optimizer.clear();
        super.close();
    }
}
