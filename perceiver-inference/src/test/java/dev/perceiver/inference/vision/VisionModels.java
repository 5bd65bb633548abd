package dev.perceiver.inference.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.OpticalFlow;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.util.Random;

/** Small vision models with random, non-trivial weights for tests. */
final class VisionModels {
    private VisionModels() {}

    /** Image classifier for (h, w, c) images with {@code classes} classes. */
    static ImageClassifier classifier(NDManager m, int h, int w, int c, int classes, long seed) {
        String json = """
                {"num_latents": 4, "num_latent_channels": 16,
                 "encoder": {"image_shape": [%d, %d, %d], "num_frequency_bands": 2, "num_cross_attention_heads": 1,
                             "num_self_attention_heads": 2, "num_self_attention_layers_per_block": 1},
                 "decoder": {"num_classes": %d, "num_output_query_channels": 8, "num_cross_attention_heads": 1}}
                """.formatted(h, w, c, classes);
        return randomize(VisionModelKinds.IMAGE_CLASSIFIER.createFromJson(m, ConfigJson.parse(json)), seed);
    }

    /** Optical flow model with image_shape (h, w) and rescale_factor 1. */
    static OpticalFlow flow(NDManager m, int h, int w, long seed) {
        String json = """
                {"num_latents": 4, "num_latent_channels": 16,
                 "encoder": {"image_shape": [%d, %d], "num_patch_input_channels": 27, "num_patch_hidden_channels": 8,
                             "num_frequency_bands": 2, "num_cross_attention_heads": 1, "num_self_attention_heads": 2,
                             "num_self_attention_layers_per_block": 1},
                 "decoder": {"image_shape": [%d, %d], "rescale_factor": 1.0, "num_cross_attention_heads": 1}}
                """.formatted(h, w, h, w);
        return randomize(VisionModelKinds.OPTICAL_FLOW.createFromJson(m, ConfigJson.parse(json)), seed);
    }

    /** Replaces every parameter (not buffers) by normal(0, 0.3) values from {@code seed}. */
    static <M extends Module> M randomize(M model, long seed) {
        Random random = new Random(seed);
        for (Parameter p : model.trainableParameters()) {
            float[] values = new float[(int) p.shape().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * 0.3);
            }
            try (NDManager tmp = NDManager.newBaseManager()) {
                NDArray a = tmp.create(values, p.shape());
                p.load(a);
            }
        }
        return model;
    }
}
