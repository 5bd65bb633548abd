package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.perceiver.tasks.vision.ImageClassifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Image classification from several threads at once, on one model and on two models: every output equals the
 * single-threaded one.
 */
class ConcurrentClassificationTest {
    private static final int[] SHAPE = {6, 5, 1};
    private static final String[] LABELS = {"zero", "one", "two", "three"};
    private static final int THREADS = 4;
    private static final int CALLS_PER_THREAD = 50;

    /** One classification call: a pipeline, its inputs and the single-threaded logits. */
    private record Case(ImageClassificationPipeline pipeline, List<float[]> inputs, float[][] expected) {}

    @Test
    void fourThreadsOnOneModelAndOnTwoModelsGiveTheSingleThreadedLogits() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassificationPipeline a = pipeline(VisionModels.classifier(m, 6, 5, 1, 4, 21));
            ImageClassificationPipeline b = pipeline(VisionModels.classifier(m, 6, 5, 1, 4, 22));
            Random random = new Random(5);
            List<Case> casesA = new ArrayList<>();
            List<Case> casesB = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                casesA.add(newCase(a, random, 1 + i));
                casesB.add(newCase(b, random, 1 + i));
            }
            assertThat(casesA.get(0).expected())
                    .isNotEqualTo(b.logits(casesA.get(0).inputs()));
            int calls = runConcurrently(List.of(casesA, casesA, casesA, casesA));
            calls += runConcurrently(List.of(casesA, casesB, casesA, casesB));
            assertThat(calls).isEqualTo(2 * THREADS * CALLS_PER_THREAD);
        }
    }

    private static ImageClassificationPipeline pipeline(ImageClassifier model) {
        model.setTraining(false);
        return new ImageClassificationPipeline(
                model, LABELS, new ImagePreprocessor(ImageProcessorConfig.defaults(SHAPE), SHAPE), 2);
    }

    /** {@code n} random preprocessed images (two per forward pass) and their single-threaded logits. */
    private static Case newCase(ImageClassificationPipeline pipeline, Random random, int n) {
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[SHAPE[0] * SHAPE[1] * SHAPE[2]];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) random.nextGaussian();
            }
            inputs.add(x);
        }
        return new Case(pipeline, inputs, pipeline.logits(inputs));
    }

    private static int runConcurrently(List<List<Case>> casesPerThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<Case> cases = casesPerThread.get(t);
                int offset = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        Case c = cases.get((offset + i) % cases.size());
                        assertThat(c.pipeline().logits(c.inputs())).isDeepEqualTo(c.expected());
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
