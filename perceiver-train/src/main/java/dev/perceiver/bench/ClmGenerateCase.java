package dev.perceiver.bench;

import ai.djl.ndarray.NDManager;
import dev.perceiver.config.PerceiverARConfig;
import dev.perceiver.generate.CausalGenerator;
import dev.perceiver.generate.GenerationConfig;
import dev.perceiver.generate.GenerationOutput;
import dev.perceiver.generate.PromptBatch;
import dev.perceiver.nn.Module;
import dev.perceiver.text.CausalLanguageModel;

import java.util.Arrays;
import java.util.Random;

/**
 * clm-generate: greedy generation with the project's {@link CausalGenerator} (kv cache on, no early stop) from one
 * random prompt, num_latents 1 at the start, in eval mode.
 */
final class ClmGenerateCase extends BenchCase {
    private final CausalLanguageModel model;
    private final CausalGenerator generator;
    private final PromptBatch prompt;
    private final GenerationConfig generation;
    private final long flopsPerToken;

    ClmGenerateCase(NDManager base, BenchOptions o) {
        super(base, o.seed());
        PerceiverARConfig config = WorkloadModels.causalLanguageModel(o.scale());
        WorkloadModels.Sizes s = WorkloadModels.sizes(o.scale());
        model = new CausalLanguageModel(manager, config);
        model.setTraining(false);
        generator = new CausalGenerator(model);
        Random random = new Random(o.seed());
        long[] ids = new long[s.promptLen()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = FIRST_BYTE_TOKEN + random.nextInt(config.vocabSize() - FIRST_BYTE_TOKEN);
        }
        boolean[] mask = new boolean[ids.length];
        Arrays.fill(mask, true);
        prompt = new PromptBatch(new long[][] {ids}, new boolean[][] {mask});
        generation = GenerationConfig.greedy(s.newTokens()).withNumLatents(s.genNumLatents());
        flopsPerToken = MatmulFlops.cachedGeneration(config, s.promptLen(), s.genNumLatents(), s.newTokens())
                / s.newTokens();
    }

    @Override
    float run() {
        GenerationOutput out = generator.generate(prompt, generation);
        long[] seq = out.sequences()[0];
        if (seq.length != prompt.length() + generation.maxNewTokens()) {
            throw new IllegalStateException("clm-generate produced " + (seq.length - prompt.length())
                    + " tokens, expected " + generation.maxNewTokens());
        }
        return seq[seq.length - 1];
    }

    @Override
    long itemsPerRep() {
        return generation.maxNewTokens();
    }

    @Override
    long flopsPerItem() {
        return flopsPerToken;
    }

    @Override
    Module model() {
        return model;
    }
}
