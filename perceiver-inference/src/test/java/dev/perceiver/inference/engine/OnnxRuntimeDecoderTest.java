package dev.perceiver.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationOutput;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.tasks.audio.SymbolicAudioModel;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Generation with the kv cache on ONNX Runtime against libtorch's cached generation, on tiny random models. */
class OnnxRuntimeDecoderTest {
    private static final int VOCAB = 30;

    @Test
    void greedyTokensAndStepLogitsEqualLibtorchsThroughLatentGrowthPrefixGrowthAndSliding() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(5);
            // absolute position embedding, two self-attention layers (one rotary); max_seq_len 12 and max_latents 4:
            // 7 + 14 tokens grow the latents, then the prefix, then slide the window (both caches are cut)
            CausalLanguageModel clm = new CausalLanguageModel(m, TestModels.clmConfig(VOCAB, 12, 4, 2, 16));
            PromptBatch prompts = PromptBatch.leftPadded(
                    List.of(new long[] {3, 9, 27, 1, 29}, new long[] {11, 12}, new long[] {4, 5, 6, 7, 8, 9, 10}), 0);
            compare(clm, prompts, GenerationConfig.greedy(14).withNumLatents(2));
            compare(clm, prompts, GenerationConfig.greedy(6).withNumLatents(4));
            // no absolute position embedding (all channels rotated), no output norm or bias; batch 1
            PerceiverARConfig plain = TestModels.clmConfig(VOCAB, 10, 3, 1, 16).toBuilder()
                    .absPosEmb(false)
                    .outputNorm(false)
                    .outputBias(false)
                    .build();
            SymbolicAudioModel audio = new SymbolicAudioModel(m, plain);
            compare(
                    audio,
                    PromptBatch.leftPadded(List.of(new long[] {1, 2, 3, 4, 5, 6}), 0),
                    GenerationConfig.greedy(9).withNumLatents(1));
        }
    }

    @Test
    void stoppingStreamingAndSamplingWorkAsOnLibtorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(6);
            CausalLanguageModel clm = new CausalLanguageModel(m, TestModels.clmConfig(VOCAB, 16, 8, 1, 16));
            clm.setTraining(false);
            PromptBatch prompts = PromptBatch.leftPadded(List.of(new long[] {3, 4, 5}, new long[] {7}), 0);
            GenerationOutput free = new CausalGenerator(clm).generate(prompts, GenerationConfig.greedy(6));
            int eos = (int) free.generated(0)[2];
            GenerationConfig stopping = GenerationConfig.greedy(6).withEosTokenId(eos);
            GenerationConfig sampling = GenerationConfig.greedy(6).withSampling(0.8, 10, 0.95, 42);
            try (CausalDecoderRunner ort = ModelRunners.openDecoder(clm, Engine.ONNXRUNTIME, 1)) {
                assertThat(ort.engine()).isEqualTo(Engine.ONNXRUNTIME);
                for (GenerationConfig c : List.of(stopping, sampling)) {
                    List<String> libtorchSteps = new ArrayList<>();
                    List<String> ortSteps = new ArrayList<>();
                    GenerationOutput expected = new CausalGenerator(clm)
                            .generate(
                                    prompts,
                                    c,
                                    false,
                                    (s, t, f) -> libtorchSteps.add(s + java.util.Arrays.toString(t)));
                    GenerationOutput actual = new CausalGenerator(clm, null, ort)
                            .generate(prompts, c, false, (s, t, f) -> ortSteps.add(s + java.util.Arrays.toString(t)));
                    assertThat(actual.sequences()).isDeepEqualTo(expected.sequences());
                    assertThat(actual.numGenerated()).containsExactly(expected.numGenerated());
                    assertThat(ortSteps).isEqualTo(libtorchSteps);
                }
                assertThat(new CausalGenerator(clm, null, ort)
                                .generate(prompts, stopping)
                                .numGenerated()[0])
                        .isEqualTo(3);
                PromptBatch bad = PromptBatch.leftPadded(List.of(new long[] {3, VOCAB}), 0);
                assertThatThrownBy(() -> new CausalGenerator(clm, null, ort).generate(bad, GenerationConfig.greedy(2)))
                        .hasMessage("token id (30) out of range [0, 30) (vocab_size)");
                CausalLanguageModel other = new CausalLanguageModel(m, TestModels.clmConfig(VOCAB, 16, 8, 1, 16));
                assertThatThrownBy(() -> new CausalGenerator(other, null, ort))
                        .hasMessage("the cached decoder was made for another model");
            }
        }
    }

    /** Greedy generation on both engines: the same tokens, step logits within 1e-4. */
    private static void compare(CausalSequenceModel model, PromptBatch prompts, GenerationConfig config) {
        model.setTraining(false);
        GenerationOutput expected = new CausalGenerator(model).generate(prompts, config, true, null);
        try (CausalDecoderRunner ort = ModelRunners.openDecoder(model, Engine.ONNXRUNTIME, 1)) {
            GenerationOutput actual = new CausalGenerator(model, null, ort).generate(prompts, config, true, null);
            assertThat(actual.sequences()).isDeepEqualTo(expected.sequences());
            float maxDiff = 0;
            for (int r = 0; r < prompts.batchSize(); r++) {
                for (int s = 0; s < config.maxNewTokens(); s++) {
                    float[] a = actual.stepLogits()[r][s];
                    float[] e = expected.stepLogits()[r][s];
                    for (int i = 0; i < a.length; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(a[i] - e[i]));
                    }
                }
            }
            assertThat(maxDiff).isLessThan(1e-4f);
        }
    }
}
