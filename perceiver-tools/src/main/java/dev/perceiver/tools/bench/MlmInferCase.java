package dev.perceiver.tools.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.engine.ModelRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.util.Random;

/** mlm-infer: forward pass of the masked language model on one random token sequence, eval mode. */
final class MlmInferCase extends BenchCase {
    private final MaskedLanguageModel model;
    private final NDArray x;
    private final long flops;
    private final ModelRunner runner;

    MlmInferCase(NDManager base, BenchOptions o) {
        super(base, o.seed());
        PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig> config = WorkloadModels.maskedLanguageModel(o.scale());
        int n = WorkloadModels.sizes(o.scale()).mlmSeqLen();
        model = TextModelKinds.MASKED_LANGUAGE_MODEL.create(manager, config);
        model.setTraining(false);
        x = randomIds(
                new Random(o.seed()), 1, n, FIRST_BYTE_TOKEN, config.encoder().vocabSize());
        flops = MatmulFlops.maskedLanguageModel(config, n);
        runner = ModelRunners.open(model, o.engine(), o.threads());
    }

    @Override
    float run() {
        return firstFinite(runner.forward(x, null), "mlm-infer logits");
    }

    @Override
    long itemsPerRep() {
        return 1;
    }

    @Override
    long flopsPerItem() {
        return flops;
    }

    @Override
    Module model() {
        return model;
    }

    @Override
    String engine() {
        return runner.engine().label();
    }

    @Override
    public void close() {
        runner.close();
        super.close();
    }
}
