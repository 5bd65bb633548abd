package dev.perceiver.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights used more than once (shared self-attention blocks) are stored once in an exported graph. */
class SharedWeightsExportTest {
    private static ImageClassifier classifier(NDManager m, int blocks) {
        String json = """
                {"encoder": {"image_shape": [6, 5, 2], "num_frequency_bands": 3, "num_cross_attention_heads": 1,
                  "num_self_attention_heads": 2, "num_self_attention_blocks": %d,
                  "num_self_attention_layers_per_block": 2},
                 "decoder": {"num_output_query_channels": 32, "num_classes": 4, "num_cross_attention_heads": 1},
                 "num_latents": 4, "num_latent_channels": 32}""".formatted(blocks);
        ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(json)));
        model.setTraining(false);
        return model;
    }

    @Test
    void sharedBlocksAreStoredOnce(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path one = tmp.resolve("one.onnx");
            Path four = tmp.resolve("four.onnx");
            OnnxExport.export(classifier(m, 1), one);
            ImageClassifier shared = classifier(m, 4); // blocks 2..4 apply block 1's weights
            OnnxExport.export(shared, four);
            // one block's weights: 2 layers of q/k/v/o and MLP projections (32 x 32 each), stored once
            long blockBytes = 2L * 6 * 32 * 32 * 4;
            assertThat(Files.size(four) - Files.size(one)).isLessThan(blockBytes / 2);
        }
    }

    @Test
    void equalArraysShareAnInitializerAndOthersDoNot() {
        try (NDManager m = NDManager.newBaseManager()) {
            OnnxGraph g = new OnnxGraph();
            float[] values = new float[2048];
            for (int i = 0; i < values.length; i++) {
                values[i] = i * 0.5f;
            }
            float[] reversed = new float[values.length]; // the same sum, other content
            for (int i = 0; i < values.length; i++) {
                reversed[i] = values[values.length - 1 - i];
            }
            NDArray a = Tensors.owned(m, values, new Shape(32, 64));
            NDArray b = Tensors.owned(m, values, new Shape(32, 64));
            NDArray c = Tensors.owned(m, reversed, new Shape(32, 64));
            NDArray d = Tensors.owned(m, values, new Shape(64, 32));
            String name = g.constant(a);
            assertThat(g.constant(b)).isEqualTo(name);
            assertThat(g.constant(c)).isNotEqualTo(name);
            assertThat(g.constant(d)).isNotEqualTo(name);
            float[] small = new float[10];
            NDArray s1 = Tensors.owned(m, small, new Shape(10));
            NDArray s2 = Tensors.owned(m, small, new Shape(10));
            assertThat(g.constant(s1)).isNotEqualTo(g.constant(s2)); // below the compared size
        }
    }
}
