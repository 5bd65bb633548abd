package dev.perceiver.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.nn.Parameter;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engine choice, and ONNX Runtime's forward pass against libtorch's on a small random image classifier. */
class ModelRunnersTest {
    private static final String IMAGE = """
            {"encoder": {"image_shape": [6, 5, 2], "num_frequency_bands": 3, "num_cross_attention_heads": 1,
              "num_cross_attention_layers": 2, "num_self_attention_heads": 2, "num_self_attention_blocks": 2,
              "num_self_attention_layers_per_block": 2, "first_self_attention_block_shared": false},
             "decoder": {"num_output_query_channels": 16, "num_classes": 4, "num_cross_attention_heads": 1},
             "num_latents": 4, "num_latent_channels": 16}""";

    private static final String CLM = """
            {"vocab_size": 20, "max_seq_len": 16, "max_latents": 8, "num_channels": 16, "num_heads": 2,
             "num_self_attention_layers": 1}""";

    @Test
    void onnxRuntimeGivesLibtorchsLogitsForAnyBatch(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                    m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(IMAGE)));
            model.setTraining(false);
            try (ModelRunner ort = ModelRunners.open(model, Engine.AUTO, 1)) {
                assertThat(ort.engine()).isEqualTo(Engine.ONNXRUNTIME);
                for (int b : new int[] {1, 3}) {
                    float[] data = new float[b * 6 * 5 * 2];
                    Random r = new Random(b);
                    for (int i = 0; i < data.length; i++) {
                        data[i] = r.nextFloat() * 2 - 1;
                    }
                    NDArray x = Tensors.owned(m, data, new Shape(b, 6, 5, 2));
                    NDArray expected = model.forward(x);
                    NDArray actual = ort.forward(x, null);
                    assertThat(actual.getShape()).isEqualTo(new Shape(b, 4));
                    float diff = actual.sub(expected).abs().max().getFloat();
                    assertThat(diff).isLessThan(1e-4f);
                }
            }
            Path file = tmp.resolve("image.onnx");
            OnnxExport.export(model, file);
            assertThat(Files.size(file)).isGreaterThan(4L * model.numParameters());
            assertThat(tmp.toFile().list()).containsExactly("image.onnx");
        }
    }

    @Test
    void sharedBlocksRunAsOneLoopWithLibtorchsLogits() {
        String shared = IMAGE.replace("\"num_self_attention_blocks\": 2", "\"num_self_attention_blocks\": 4")
                .replace("\"first_self_attention_block_shared\": false", "\"first_self_attention_block_shared\": true")
                .replace("\"num_cross_attention_layers\": 2", "\"num_cross_attention_layers\": 1");
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                    m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(shared)));
            model.setTraining(false);
            assertThat(model.encoder().selfAttentionBlock(3))
                    .isSameAs(model.encoder().selfAttentionBlock(0));
            try (ModelRunner ort = ModelRunners.open(model, Engine.ONNXRUNTIME, 1)) {
                for (int b : new int[] {1, 3}) {
                    NDArray x = m.randomUniform(-1f, 1f, new Shape(b, 6, 5, 2));
                    float diff = ort.forward(x, null)
                            .sub(model.forward(x))
                            .abs()
                            .max()
                            .getFloat();
                    assertThat(diff).isLessThan(1e-4f);
                }
            }
        }
    }

    @Test
    void releasedWeightsLeaveTheOnnxRuntimeRunnerWorkingAndTheModelRefusingUse() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                    m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(IMAGE)));
            model.setTraining(false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 6, 5, 2));
            float[] expected = model.forward(x).toFloatArray();
            try (ModelRunner ort = ModelRunners.open(model, Engine.ONNXRUNTIME, 1, true)) {
                assertThat(model.stateDict().values()).allMatch(Parameter::isReleased);
                float[] actual = ort.forward(x, null).toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).isCloseTo(expected[i], within(1e-4f));
                }
                assertThat(model.numParameters()).isPositive(); // shapes stay readable
                assertThatThrownBy(() -> model.forward(x))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("ImageClassifier were freed after its export to ONNX Runtime")
                        .hasMessageContaining("engine libtorch");
            }
        }
    }

    @Test
    void libtorchRunnersKeepTheWeightsEvenWhenAskedToRelease() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                    m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(IMAGE)));
            model.setTraining(false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(1, 6, 5, 2));
            try (ModelRunner lt = ModelRunners.open(model, Engine.LIBTORCH, 1, true)) {
                assertThat(model.stateDict().values()).noneMatch(Parameter::isReleased);
                assertThat(lt.forward(x, null).toFloatArray())
                        .containsExactly(model.forward(x).toFloatArray());
            }
        }
    }

    @Test
    void plainRunnersRefuseCausalModels() {
        try (NDManager m = NDManager.newBaseManager()) {
            PerceiverARConfig config = TextModelKinds.CAUSAL_LANGUAGE_MODEL.readConfig(ConfigJson.parse(CLM));
            CausalLanguageModel model = TextModelKinds.CAUSAL_LANGUAGE_MODEL.create(m, config);
            assertThat(OnnxExport.supports(model)).isTrue();
            assertThatThrownBy(() -> ModelRunners.open(model, Engine.ONNXRUNTIME, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("CausalLanguageModel")
                    .hasMessageContaining("openCausal");
            assertThatThrownBy(() -> Engine.parse("tensorrt"))
                    .hasMessage("--engine (tensorrt) must be libtorch, onnxruntime, onnxruntime-int8 or auto");
        }
    }
}
