package dev.perceiver.inference.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausalGeneratorTest {
    private static final int VOCAB = 40;

    private static PromptBatch batch(long[]... prompts) {
        return PromptBatch.leftPadded(List.of(prompts), 0);
    }

    @Test
    void greedyGeneratesTheRequestedNumberOfTokensAfterThePrompt() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 16, 4, 1, 1);
            GenerationOutput out = new CausalGenerator(model)
                    .generate(batch(new long[] {5, 6, 7}, new long[] {8}), GenerationConfig.greedy(5));
            assertThat(out.sequences()).hasDimensions(2, 8);
            assertThat(out.steps()).isEqualTo(5);
            assertThat(out.sequences()[0]).startsWith(5, 6, 7);
            assertThat(out.sequences()[1]).startsWith(0, 0, 8);
            assertThat(out.numGenerated()).containsExactly(5, 5);
            assertThat(out.generated(1)).hasSize(5);
            assertThat(java.util.Arrays.stream(out.generated(1)).allMatch(t -> t >= 0 && t < VOCAB))
                    .isTrue();
        }
    }

    @Test
    void cachedGenerationEqualsRecomputingTheWindowEveryStep() {
        // one self-attention layer: the cached and the recomputed forms are the same function until the window
        // slides (prompt 5 + 9 new tokens stay within max_seq_len 14), through both latent growth and prefix growth
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 14, 4, 1, 2);
            PromptBatch prompts = batch(new long[] {3, 9, 27, 1, 30}, new long[] {11, 12});
            GenerationConfig config = GenerationConfig.greedy(9).withNumLatents(2);
            CausalGenerator generator = new CausalGenerator(model);
            GenerationOutput cached = generator.generate(prompts, config, true, null);
            GenerationOutput recomputed = generator.generate(prompts, config.withCache(false), true, null);
            assertThat(cached.sequences()).isDeepEqualTo(recomputed.sequences());
            for (int r = 0; r < 2; r++) {
                for (int s = 0; s < 9; s++) {
                    float[] a = cached.stepLogits()[r][s];
                    float[] b = recomputed.stepLogits()[r][s];
                    for (int i = 0; i < VOCAB; i++) {
                        assertThat(a[i]).isCloseTo(b[i], within(1e-4f));
                    }
                }
            }
        }
    }

    @Test
    void float16StepsStayCloseToFloat32() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 12, 4, 2, 3);
            PromptBatch prompts = batch(new long[] {3, 9, 27, 1, 30}, new long[] {11, 12});
            GenerationConfig config = GenerationConfig.greedy(12).withNumLatents(2);
            CausalGenerator generator = new CausalGenerator(model);
            GenerationOutput full = generator.generate(prompts, config, true, null);
            GenerationOutput half = generator.generate(prompts, config.withFloat16Steps(true), true, null);
            float maxDiff = 0;
            for (int r = 0; r < 2; r++) {
                // the first step is the prompt pass, which stays float32
                assertThat(half.stepLogits()[r][0]).containsExactly(full.stepLogits()[r][0]);
                for (int s = 1; s < 12; s++) {
                    float[] a = full.stepLogits()[r][s];
                    float[] b = half.stepLogits()[r][s];
                    for (int i = 0; i < VOCAB; i++) {
                        assertThat(b[i]).isCloseTo(a[i], within(1e-2f * Math.max(1f, Math.abs(a[i]))));
                        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                    }
                }
            }
            assertThat(maxDiff).as("the steps ran in float16").isGreaterThan(0f);
        }
    }

    @Test
    void aGeneratorWithPreparedWeightsUsesThemForEveryCallAndGivesTheSameTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 12, 4, 2, 5);
            PromptBatch prompts = batch(new long[] {3, 9, 27, 1, 30});
            GenerationConfig config = GenerationConfig.greedy(6).withFloat16Steps(true);
            GenerationOutput alone = new CausalGenerator(model).generate(prompts, config, true, null);
            int before = m.getManagedArrays().size();
            try (InferenceWeights prepared = InferenceWeights.prepare(model, true)) {
                int withWeights = m.getManagedArrays().size();
                assertThat(withWeights).as("the prepared copies").isGreaterThan(before);
                CausalGenerator generator = new CausalGenerator(model, prepared);
                GenerationOutput first = generator.generate(prompts, config, true, null);
                assertThat(m.getManagedArrays().size())
                        .as("a call leaves no arrays and makes no copies of its own")
                        .isEqualTo(withWeights);
                GenerationOutput second = generator.generate(prompts, config, true, null);
                assertThat(first.sequences()).isDeepEqualTo(alone.sequences());
                assertThat(second.stepLogits()).isDeepEqualTo(alone.stepLogits());
                GenerationOutput full = generator.generate(prompts, config.withFloat16Steps(false), true, null);
                assertThat(full.stepLogits()[0][1])
                        .as("float32 steps with weights that also have float16 copies")
                        .isNotEqualTo(alone.stepLogits()[0][1]);
            }
            assertThat(m.getManagedArrays().size()).isEqualTo(before);
        }
    }

    @Test
    void preparedWeightsOfAnotherModelOrWithoutFloat16CopiesAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel a = TestModels.clm(m, VOCAB, 12, 4, 1, 5);
            CausalLanguageModel b = TestModels.clm(m, VOCAB, 12, 4, 1, 6);
            try (InferenceWeights weightsOfA = InferenceWeights.prepare(a, false)) {
                assertThatThrownBy(() -> new CausalGenerator(b, weightsOfA))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("prepared for another model");
                CausalGenerator generator = new CausalGenerator(a, weightsOfA);
                assertThatThrownBy(() -> generator.generate(
                                batch(new long[] {1, 2}),
                                GenerationConfig.greedy(2).withFloat16Steps(true)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("float16_steps (true) needs InferenceWeights prepared with float16");
            }
        }
    }

    @Test
    void leftPaddingIsInvisibleToAPrompt() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 16, 4, 2, 3);
            CausalGenerator generator = new CausalGenerator(model);
            GenerationConfig config = GenerationConfig.greedy(6);
            long[] shortPrompt = {17, 4};
            GenerationOutput together = generator.generate(batch(new long[] {1, 2, 3, 4, 5}, shortPrompt), config);
            GenerationOutput alone = generator.generate(batch(shortPrompt), config);
            assertThat(together.generated(1)).containsExactly(alone.generated(0));
        }
    }

    @Test
    void samplingWithASeedIsReproducibleAndDiffersAcrossSeeds() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 16, 4, 1, 4);
            CausalGenerator generator = new CausalGenerator(model);
            PromptBatch prompts = batch(new long[] {2, 3, 4});
            GenerationConfig base = GenerationConfig.greedy(12);
            long[] a = generator
                    .generate(prompts, base.withSampling(1.5, 0, 1.0, 7))
                    .generated(0);
            long[] b = generator
                    .generate(prompts, base.withSampling(1.5, 0, 1.0, 7))
                    .generated(0);
            long[] c = generator
                    .generate(prompts, base.withSampling(1.5, 0, 1.0, 8))
                    .generated(0);
            assertThat(a).containsExactly(b);
            assertThat(a).isNotEqualTo(c);
        }
    }

    @Test
    void topKOneSamplingEqualsGreedy() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 16, 4, 1, 5);
            CausalGenerator generator = new CausalGenerator(model);
            PromptBatch prompts = batch(new long[] {2, 3, 4}, new long[] {9});
            GenerationConfig greedy = GenerationConfig.greedy(10);
            GenerationOutput g = generator.generate(prompts, greedy);
            GenerationOutput s = generator.generate(prompts, greedy.withSampling(2.0, 1, 1.0, 99));
            assertThat(s.sequences()).isDeepEqualTo(g.sequences());
        }
    }

    @Test
    void aSequenceStopsAtEosAndContinuesWithPad() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 16, 4, 1, 6);
            CausalGenerator generator = new CausalGenerator(model);
            PromptBatch prompts = batch(new long[] {2, 3, 4}, new long[] {20, 21, 22, 23});
            GenerationOutput free = generator.generate(prompts, GenerationConfig.greedy(8));
            long eos = free.generated(0)[2];
            int firstEos = 0;
            while (free.generated(0)[firstEos] != eos) {
                firstEos++;
            }
            GenerationOutput stopped = generator.generate(
                    prompts,
                    GenerationConfig.greedy(8).withEosTokenId((int) eos).withPadTokenId(1));
            assertThat(stopped.numGenerated()[0]).isEqualTo(firstEos + 1);
            assertThat(stopped.generated(0)).containsExactly(java.util.Arrays.copyOf(free.generated(0), firstEos + 1));
            long[] row0 = stopped.sequences()[0];
            for (int i = 4 + firstEos + 1; i < row0.length; i++) {
                assertThat(row0[i]).as("token after EOS").isEqualTo(1);
            }
        }
    }

    @Test
    void generationEndsEarlyWhenEverySequenceFinished() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 16, 4, 1, 7);
            CausalGenerator generator = new CausalGenerator(model);
            PromptBatch prompts = batch(new long[] {5, 6}, new long[] {5, 6});
            long first = generator.generate(prompts, GenerationConfig.greedy(1)).generated(0)[0];
            GenerationOutput out =
                    generator.generate(prompts, GenerationConfig.greedy(10).withEosTokenId((int) first), true, null);
            assertThat(out.steps()).isEqualTo(1);
            assertThat(out.numGenerated()).containsExactly(1, 1);
            assertThat(out.stepLogits()[0]).hasNumberOfRows(1);
        }
    }

    @Test
    void rejectsPromptsLongerThanMaxSeqLenAndNumLatentsOutOfRangeWithTheReferenceMessages() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 12, 6, 1, 8);
            CausalGenerator generator = new CausalGenerator(model);
            GenerationConfig config = GenerationConfig.greedy(3);
            assertThatThrownBy(() -> generator.generate(batch(new long[13]), config))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("input sequence length (13) out of valid range [1..12]");
            assertThatThrownBy(() -> generator.generate(batch(new long[6]), config.withNumLatents(0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("num_latents=0 out of valid range [1..6]");
            assertThatThrownBy(() -> generator.generate(batch(new long[6]), config.withNumLatents(7)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("num_latents=7 out of valid range [1..6]");
            assertThatThrownBy(() -> generator.generate(batch(new long[11]), config.withNumLatents(3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("for given sequence of length=11, num_latents must be in range [5..6]");
            assertThatThrownBy(() -> generator.generate(batch(new long[] {1, 2, 99}), config))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id (99) out of range [0, 40)");
        }
    }

    @Test
    void fullPromptsOfMaxSeqLenAndLongGenerationsSlideTheWindow() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 12, 6, 2, 9);
            CausalGenerator generator = new CausalGenerator(model);
            long[] prompt = new long[12];
            java.util.Arrays.fill(prompt, 7);
            GenerationOutput out = generator.generate(
                    batch(prompt, prompt), GenerationConfig.greedy(3).withNumLatents(6));
            assertThat(out.sequences()).hasDimensions(2, 15);
            GenerationOutput longer = generator.generate(
                    batch(new long[] {1, 2, 3, 4, 5, 6}),
                    GenerationConfig.greedy(9).withNumLatents(6));
            assertThat(longer.sequences()).hasDimensions(1, 15);
        }
    }

    @Test
    void liveArraysDoNotGrowWithTheNumberOfSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 24, 8, 2, 10);
            CausalGenerator generator = new CausalGenerator(model);
            int before = m.getManagedArrays().size();
            List<Integer> live = new ArrayList<>();
            generator.generate(
                    batch(new long[] {1, 2, 3}, new long[] {4}),
                    GenerationConfig.greedy(200).withSampling(1.0, 0, 1.0, 3),
                    false,
                    (step, tokens, finished) -> {
                        if (step == 10 || step == 199) {
                            live.add(m.getManagedArrays().size());
                        }
                    });
            assertThat(live).hasSize(2);
            assertThat(live.get(1)).as("live arrays at step 199 vs step 10").isEqualTo(live.get(0));
            assertThat(m.getManagedArrays().size())
                    .as("live arrays after generation")
                    .isEqualTo(before);
        }
    }
}
