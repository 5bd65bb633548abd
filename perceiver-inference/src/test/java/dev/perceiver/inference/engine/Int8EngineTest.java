package dev.perceiver.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Engine#ONNXRUNTIME_INT8}: a masked LM with 256 latent channels (so its projections and MLPs have 65,536
 * weights or more and are quantized) gives logits close to float32's but not equal, the graph holds int8 products, and the engines
 * without an int8 graph refuse it.
 */
class Int8EngineTest {
    private static final String MLM = """
            {"encoder": {"vocab_size": 262, "max_seq_len": 48, "num_input_channels": 256,
              "num_cross_attention_heads": 4, "num_cross_attention_qk_channels": 256,
              "num_cross_attention_v_channels": 256, "num_self_attention_heads": 4,
              "num_self_attention_qk_channels": 256, "num_self_attention_v_channels": 256,
              "num_self_attention_layers_per_block": 3, "num_self_attention_blocks": 1,
              "cross_attention_widening_factor": 1, "self_attention_widening_factor": 1},
             "decoder": {"vocab_size": 262, "max_seq_len": 48, "num_cross_attention_heads": 4,
              "num_cross_attention_qk_channels": 256, "num_cross_attention_v_channels": 256,
              "cross_attention_widening_factor": 1},
             "num_latents": 16, "num_latent_channels": 256}""";

    private static final String CLM = """
            {"vocab_size": 20, "max_seq_len": 16, "max_latents": 8, "num_channels": 16, "num_heads": 2,
             "num_self_attention_layers": 1}""";

    @Test
    void int8LogitsAreCloseToFloat32AndTheGraphQuantizesTheLinearLayers(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLanguageModel model = TextModelKinds.MASKED_LANGUAGE_MODEL.create(
                    m, TextModelKinds.MASKED_LANGUAGE_MODEL.readConfig(ConfigJson.parse(MLM)));
            model.setTraining(false);
            int b = 2;
            int n = 40;
            long[] ids = new long[b * n];
            Random r = new Random(7);
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 6 + r.nextInt(256);
            }
            NDArray x = Tensors.owned(m, ids, new Shape(b, n));
            NDArray expected = model.forward(x, null);
            try (ModelRunner int8 = ModelRunners.open(model, Engine.ONNXRUNTIME_INT8, 1)) {
                assertThat(int8.engine()).isEqualTo(Engine.ONNXRUNTIME_INT8);
                NDArray actual = int8.forward(x, null);
                assertThat(actual.getShape()).isEqualTo(expected.getShape());
                float scale = expected.abs().max().getFloat();
                float diff = actual.sub(expected).abs().max().getFloat();
                // int8 is not exact: a few percent of the largest logit, never float32's 1e-4, never far off
                assertThat(diff).isGreaterThan(1e-6f * scale).isLessThan(0.1f * scale);
                // on average within 5% of the mean logit size (a random model's near-tied logits make argmax
                // agreement no measure; the README states the accuracy of a trained classifier)
                float meanDiff = actual.sub(expected).abs().mean().getFloat();
                assertThat(meanDiff).isLessThan(0.05f * expected.abs().mean().getFloat());
            }
            Path float32 = tmp.resolve("float32.onnx");
            Path int8 = tmp.resolve("int8.onnx");
            OnnxExport.export(model, float32, true, false, OnnxExport.MAX_BYTES);
            OnnxExport.export(model, int8, true, true, OnnxExport.MAX_BYTES);
            assertThat(contains(int8, "DynamicQuantizeMatMul")).isTrue();
            assertThat(contains(float32, "DynamicQuantizeMatMul")).isFalse();
            // int8 weights take a quarter of the bytes of the float32 ones they replace
            assertThat(Files.size(int8)).isLessThan(Files.size(float32) / 2);
        }
    }

    @Test
    void perceiverArAndParsingKnowTheInt8Engine() {
        assertThat(Engine.parse("onnxruntime-int8")).isEqualTo(Engine.ONNXRUNTIME_INT8);
        assertThat(Engine.ONNXRUNTIME_INT8.label()).isEqualTo("onnxruntime-int8");
        assertThat(Engine.ONNXRUNTIME_INT8.forcesOnnxRuntime()).isTrue();
        assertThat(Engine.AUTO.forcesOnnxRuntime()).isFalse();
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = TextModelKinds.CAUSAL_LANGUAGE_MODEL.create(
                    m, TextModelKinds.CAUSAL_LANGUAGE_MODEL.readConfig(ConfigJson.parse(CLM)));
            assertThatThrownBy(() -> ModelRunners.openDecoder(model, Engine.ONNXRUNTIME_INT8, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--engine onnxruntime-int8 runs the forward pass of classifiers");
            assertThatThrownBy(() -> ModelRunners.openCausal(model, Engine.ONNXRUNTIME_INT8, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> OnnxExport.export(model, Path.of("unused.onnx"), true, true, OnnxExport.MAX_BYTES))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no int8 graph");
        }
    }

    private static boolean contains(Path file, String text) throws Exception {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
    }
}
