package dev.perceiver.readme;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.adapter.ClassificationOutputAdapter;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.tasks.vision.ImageInputAdapter;
import org.junit.jupiter.api.Test;

/** The README's example of building a Perceiver IO model from the building blocks, kept compiling and running. */
class ReadmeExampleTest {
    @Test
    void buildPerceiverIoFromBuildingBlocks() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // input adapter: 28 x 28 x 1 images -> M = 784 positions, C = 1 + 2 * (2 * 32 + 1) = 131 channels
            InputAdapter input = new ImageInputAdapter(manager, new int[] {28, 28, 1}, 32);
            EncoderConfig enc = EncoderConfig.builder()
                    .numCrossAttentionHeads(1)
                    .numCrossAttentionLayers(2) // P = 2
                    .numSelfAttentionHeads(8)
                    .numSelfAttentionBlocks(3) // L = 3
                    .numSelfAttentionLayersPerBlock(3)
                    .firstSelfAttentionBlockShared(false)
                    .build();
            PerceiverEncoder encoder = new PerceiverEncoder(manager, input, 32, 128, enc); // N = 32, D = 128
            PerceiverDecoder decoder = new PerceiverDecoder(
                    manager,
                    new ClassificationOutputAdapter(manager, 10, 128, 0.02), // O x E = 1 x 10 logits
                    new TrainableQueryProvider(manager, 1, 128, 0.02), // O x F = 1 x 128 query
                    128,
                    DecoderConfig.builder().numCrossAttentionHeads(1).build());
            PerceiverIO model = new PerceiverIO(manager, encoder, decoder);

            NDArray images = manager.randomUniform(0, 1, new Shape(4, 28, 28, 1));
            NDArray logits = model.forward(images, null); // (4, 10)

            assertThat(logits.getShape()).isEqualTo(new Shape(4, 10));
            assertThat(model.stateDict()).containsKey("0.self_attn_n.2.1.module.3.weight");
        }
    }
}
