package dev.perceiver.inference.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.DecodingCache;
import dev.perceiver.tasks.text.CausalLanguageModel;
import org.junit.jupiter.api.Test;

/** The single-token kernel computes the model's cached forward (the reference path) step by step. */
class DecodingStepTest {
    private static final int VOCAB = 40;

    @Test
    void stepsEqualTheModelsCachedForwardInFloat32AndStayCloseInFloat16() {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TestModels.clm(m, VOCAB, 16, 4, 2, 3);
            // two prompts of 5 tokens, the second left-padded by 3; prefix 3, latents 2
            NDArray prompt = m.create(new long[] {3, 9, 27, 1, 30, 0, 0, 0, 11, 12}, new Shape(2, 5));
            boolean[] pad = {false, false, false, false, false, true, true, true, false, false};
            try (InferenceWeights weights = InferenceWeights.prepare(model, true);
                    DecodingCache reference = model.newDecodingCache(m, 2, 4, 4);
                    DecodingCache kernel = model.newDecodingCache(m, 2, 4, 4);
                    DecodingCache half = model.newDecodingCache(m, 2, 4, 4)) {
                for (DecodingCache c : new DecodingCache[] {reference, kernel, half}) {
                    model.forwardLogits(prompt, 3, m.create(pad, new Shape(2, 5)), c);
                }
                float maxHalfDiff = 0;
                for (int step = 0; step < 6; step++) {
                    long n = reference.seen() + 1;
                    NDArray ids = m.create(new long[] {step + 2, 20 - step}, new Shape(2, 1));
                    boolean[] stepPad = new boolean[(int) (2 * n)];
                    for (int i = 0; i < 3; i++) {
                        stepPad[(int) n + i] = true; // the second row's left padding
                    }
                    NDArray padMask = m.create(stepPad, new Shape(2, n));
                    float[] expected = model.forwardLogits(ids, 0, padMask, reference)
                            .logits()
                            .toFloatArray();
                    float[] actual = DecodingStep.logits(model, weights, ids, padMask, kernel, false)
                            .toFloatArray();
                    float[] inHalf = DecodingStep.logits(model, weights, ids, padMask, half, true)
                            .toFloatArray();
                    assertThat(actual).hasSameSizeAs(expected);
                    for (int i = 0; i < expected.length; i++) {
                        assertThat(actual[i])
                                .isCloseTo(expected[i], within(2e-5f * Math.max(1f, Math.abs(expected[i]))));
                        assertThat(inHalf[i])
                                .isCloseTo(expected[i], within(5e-2f * Math.max(1f, Math.abs(expected[i]))));
                        maxHalfDiff = Math.max(maxHalfDiff, Math.abs(inHalf[i] - expected[i]));
                    }
                }
                assertThat(kernel.seen()).isEqualTo(reference.seen()).isEqualTo(11);
                assertThat(kernel.crossAttention().length())
                        .isEqualTo(reference.crossAttention().length());
                assertThat(maxHalfDiff).as("the float16 steps ran in float16").isGreaterThan(0f);
            }
        }
    }
}
