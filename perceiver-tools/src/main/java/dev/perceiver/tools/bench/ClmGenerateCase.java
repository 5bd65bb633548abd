package dev.perceiver.tools.bench;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationOutput;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.inference.engine.CausalDecoderRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executor;

/**
 * clm-generate: greedy generation with the project's {@link CausalGenerator} (kv cache on, no early stop) from one
 * random prompt, num_latents 1 at the start, in eval mode, its cached steps on the engine of {@code --engine}
 * ({@link ModelRunners#openDecoder}; ONNX Runtime with {@code --threads} intra-op threads; float16 steps are
 * libtorch's). Its repetitions run on a serial worker (a thread with one libtorch intra-op thread, see
 * {@link dev.perceiver.nn.EngineSetup}) when one is given: single-token steps on libtorch are faster there.
 */
final class ClmGenerateCase extends BenchCase {
    private final CausalLanguageModel model;
    private final CausalGenerator generator;
    private final CausalDecoderRunner decoder;
    private final PromptBatch prompt;
    private final GenerationConfig generation;
    private final long flopsPerToken;
    private final Executor serialWorkers;

    /** @param serialWorkers where the repetitions run, or null for the calling thread */
    ClmGenerateCase(NDManager base, BenchOptions o, Executor serialWorkers) {
        super(base, o.seed());
        this.serialWorkers = serialWorkers;
        PerceiverARConfig config = WorkloadModels.causalLanguageModel(o.scale());
        WorkloadModels.Sizes s = WorkloadModels.sizes(o.scale());
        model = TextModelKinds.CAUSAL_LANGUAGE_MODEL.create(manager, config);
        model.setTraining(false);
        Random random = new Random(o.seed());
        long[] ids = new long[s.promptLen()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = FIRST_BYTE_TOKEN + random.nextInt(config.vocabSize() - FIRST_BYTE_TOKEN);
        }
        prompt = PromptBatch.leftPadded(List.of(ids), 0);
        generation = GenerationConfig.greedy(s.newTokens())
                .withNumLatents(s.genNumLatents())
                .withFloat16Steps(o.fp16());
        decoder = ModelRunners.openDecoder(model, ModelRunners.decoderEngine(o.engine(), generation), o.threads());
        generator = new CausalGenerator(model, null, decoder);
        flopsPerToken =
                MatmulFlops.cachedGeneration(config, s.promptLen(), s.genNumLatents(), s.newTokens()) / s.newTokens();
    }

    @Override
    float run() {
        GenerationOutput out = generate(generation, false);
        long[] seq = out.sequences()[0];
        if (seq.length != prompt.length() + generation.maxNewTokens()) {
            throw new IllegalStateException("clm-generate produced " + (seq.length - prompt.length())
                    + " tokens, expected " + generation.maxNewTokens());
        }
        return seq[seq.length - 1];
    }

    /** One generation from the prompt. */
    private GenerationOutput generate(GenerationConfig config, boolean keepStepLogits) {
        return generator.generate(prompt, config, keepStepLogits, null);
    }

    @Override
    String engine() {
        return decoder.engine().label();
    }

    @Override
    public void close() {
        try {
            decoder.close();
        } finally {
            super.close();
        }
    }

    @Override
    Executor executor() {
        return serialWorkers;
    }

    @Override
    String dtype() {
        return generation.float16Steps() ? "float16-steps" : "float32";
    }

    /**
     * With float16 steps: the same generation once in float32 and once with float16 steps, keeping the step logits;
     * the largest absolute logit difference, the largest absolute float32 logit (the scale it compares to) and the
     * share of generated tokens that are equal.
     */
    @Override
    Map<String, Double> extras() {
        if (!generation.float16Steps()) {
            return Map.of();
        }
        GenerationOutput ref = generate(generation.withFloat16Steps(false), true);
        GenerationOutput half = generate(generation, true);
        float[][] a = ref.stepLogits()[0];
        float[][] b = half.stepLogits()[0];
        double maxDiff = 0;
        double maxAbs = 0;
        for (int t = 0; t < a.length; t++) {
            for (int v = 0; v < a[t].length; v++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[t][v] - b[t][v]));
                maxAbs = Math.max(maxAbs, Math.abs(a[t][v]));
            }
        }
        long[] x = ref.sequences()[0];
        long[] y = half.sequences()[0];
        int equal = 0;
        for (int i = prompt.length(); i < x.length; i++) {
            equal += x[i] == y[i] ? 1 : 0;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("fp16_max_logit_diff", maxDiff);
        m.put("max_abs_logit", maxAbs);
        m.put("fp16_equal_tokens", (double) equal / (x.length - prompt.length()));
        return m;
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
