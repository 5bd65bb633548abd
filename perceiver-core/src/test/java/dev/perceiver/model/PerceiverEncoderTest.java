package dev.perceiver.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.vision.ImageInputAdapter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PerceiverEncoderTest {
    @Test
    void factoredCrossAttentionEqualsTheMaterialisedInput() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two cross-attention layers with their own weights: the factored form of each, and of the shared one
            EncoderConfig config = EncoderConfig.builder()
                    .numCrossAttentionHeads(2)
                    .numCrossAttentionLayers(2)
                    .firstCrossAttentionLayerShared(false)
                    .numSelfAttentionHeads(2)
                    .numSelfAttentionBlocks(3)
                    .numSelfAttentionLayersPerBlock(1)
                    .initScale(0.3)
                    .build();
            Engine.getInstance().setRandomSeed(7);
            PerceiverEncoder factored =
                    new PerceiverEncoder(m, new ImageInputAdapter(m, new int[] {5, 4, 3}, 2), 6, 16, config);
            PerceiverEncoder materialised =
                    new PerceiverEncoder(m, new ImageInputAdapter(m, new int[] {5, 4, 3}, 2), 6, 16, config, false);
            Map<String, Parameter> target = materialised.stateDict();
            factored.stateDict().forEach((key, p) -> target.get(key).load(p.array()));
            assertThat(factored.factoredInput()).isTrue();
            assertThat(materialised.factoredInput()).isFalse();

            NDArray images = m.randomUniform(-1, 1, new Shape(3, 5, 4, 3));
            float[] expected = materialised.forward(images, null).toFloatArray();
            float[] actual = factored.forward(images, null).toFloatArray();
            assertThat(actual).hasSameSizeAs(expected);
            float maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], within(1e-4f * Math.max(1f, Math.abs(expected[i]))));
                maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            }
            assertThat(maxDiff).as("the two paths compute differently").isGreaterThan(0f);
        }
    }
}
