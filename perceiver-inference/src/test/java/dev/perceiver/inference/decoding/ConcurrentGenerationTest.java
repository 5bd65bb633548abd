package dev.perceiver.inference.decoding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Generation from several threads at once, on one model and on two models: every output (tokens and step logits)
 * equals the single-threaded one, for greedy and seeded sampling, float32 and float16 steps, with and without
 * prepared weights shared by the threads.
 */
class ConcurrentGenerationTest {
    private static final int VOCAB = 40;
    private static final int THREADS = 4;
    private static final int CALLS_PER_THREAD = 30;

    /** One generation: a generator, prompts and options, and the single-threaded result. */
    private record Case(
            CausalGenerator generator, PromptBatch prompts, GenerationConfig config, GenerationOutput expected) {
        GenerationOutput run() {
            return generator.generate(prompts, config, true, null);
        }
    }

    @Test
    void fourThreadsOnOneModelAndOnTwoModelsGiveTheSingleThreadedOutputs() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel a = TestModels.clm(m, VOCAB, 16, 4, 2, 11);
            CausalLanguageModel b = TestModels.clm(m, VOCAB, 16, 4, 2, 12);
            try (InferenceWeights preparedA = InferenceWeights.prepare(a, true)) {
                List<Case> casesA = cases(new CausalGenerator(a), 0);
                casesA.addAll(cases(new CausalGenerator(a, preparedA), 1));
                List<Case> casesB = cases(new CausalGenerator(b), 2);
                assertThat(casesA.get(0).expected().sequences())
                        .as("the two models differ")
                        .isNotEqualTo(casesB.get(0).expected().sequences());
                int calls = runConcurrently(List.of(casesA, casesA, casesA, casesA));
                calls += runConcurrently(List.of(casesA, casesB, casesA, casesB));
                assertThat(calls).isEqualTo(2 * THREADS * CALLS_PER_THREAD);
            }
        }
    }

    /** Greedy and seeded sampling, float32 and float16 steps, for a padded batch and a single prompt. */
    private static List<Case> cases(CausalGenerator generator, int variant) {
        PromptBatch padded =
                PromptBatch.leftPadded(List.of(new long[] {3, 9, 27, 1, 30 + variant}, new long[] {11, 12}), 0);
        PromptBatch single = PromptBatch.leftPadded(List.of(new long[] {5, 6, 7, variant}), 0);
        GenerationConfig greedy = GenerationConfig.greedy(8).withNumLatents(2);
        GenerationConfig sampling = greedy.withSampling(1.3, 0, 0.95, 17 + variant);
        List<Case> cases = new ArrayList<>();
        for (GenerationConfig c : List.of(greedy, sampling)) {
            for (boolean half : new boolean[] {false, true}) {
                for (PromptBatch p : List.of(padded, single)) {
                    GenerationConfig config = c.withFloat16Steps(half);
                    cases.add(new Case(generator, p, config, generator.generate(p, config, true, null)));
                }
            }
        }
        return cases;
    }

    /**
     * Runs {@link #CALLS_PER_THREAD} calls on each of {@link #THREADS} threads at once, thread t cycling through
     * {@code casesPerThread.get(t)} from its own offset, and checks every output; returns the number of calls.
     */
    private static int runConcurrently(List<List<Case>> casesPerThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<Case> cases = casesPerThread.get(t);
                int offset = t * 3;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        Case c = cases.get((offset + i) % cases.size());
                        GenerationOutput out = c.run();
                        assertThat(out.sequences()).isDeepEqualTo(c.expected().sequences());
                        assertThat(out.stepLogits()).isDeepEqualTo(c.expected().stepLogits());
                    }
                    return CALLS_PER_THREAD;
                }));
            }
            int calls = 0;
            for (Future<Integer> f : done) {
                calls += f.get(120, TimeUnit.SECONDS);
            }
            return calls;
        } finally {
            pool.shutdownNow();
        }
    }
}
