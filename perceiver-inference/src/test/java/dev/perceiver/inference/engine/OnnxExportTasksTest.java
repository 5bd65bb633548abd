package dev.perceiver.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.audio.SymbolicAudioModel;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.OpticalFlow;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported graphs of the task models added to {@link OnnxExport} (optical flow, Perceiver AR, learned and conv
 * image classifiers), run by ONNX Runtime, give libtorch's outputs for several batch sizes and sequence lengths
 * (dynamic axes). Tiny random models with weights large enough (init_scale 0.5) that differences show.
 */
class OnnxExportTasksTest {
    private static final float TOLERANCE = 1e-4f;

    private static final String FLOW = """
            {"encoder": {"image_shape": [4, 5], "num_patch_input_channels": 3, "num_patch_hidden_channels": 8,
              "num_frequency_bands": 2, "num_cross_attention_heads": 1, "num_self_attention_heads": 2,
              "num_self_attention_blocks": 2, "num_cross_attention_layers": 2,
              "num_self_attention_layers_per_block": 2, "init_scale": 0.5},
             "decoder": {"image_shape": [4, 5], "num_cross_attention_heads": 1, "rescale_factor": 10.0,
              "init_scale": 0.5},
             "num_latents": 6, "num_latent_channels": 16}""";

    private static final String LEARNED = """
            {"encoder": {"image_shape": [4, 5, 3], "prep_type": "conv1x1", "num_prep_channels": 6,
              "num_position_channels": 4, "num_cross_attention_heads": 1, "num_self_attention_heads": 2,
              "num_self_attention_blocks": 1, "num_self_attention_layers_per_block": 2, "init_scale": 0.5},
             "decoder": {"num_output_query_channels": 16, "num_classes": 5, "num_cross_attention_heads": 1,
              "init_scale": 0.5},
             "num_latents": 4, "num_latent_channels": 16}""";

    private static final String CONV = """
            {"encoder": {"image_shape": [16, 16, 3], "prep_type": "conv", "num_prep_channels": 8,
              "max_resolution": [8, 8], "num_frequency_bands": 3, "num_cross_attention_heads": 1,
              "num_self_attention_heads": 2, "num_self_attention_blocks": 1,
              "num_self_attention_layers_per_block": 1, "init_scale": 0.5},
             "decoder": {"num_output_query_channels": 16, "num_classes": 3, "num_cross_attention_heads": 1,
              "init_scale": 0.5},
             "num_latents": 4, "num_latent_channels": 16}""";

    @Test
    void opticalFlowOnOnnxRuntimeGivesLibtorchsFlow() {
        try (NDManager m = NDManager.newBaseManager()) {
            OpticalFlow model = VisionModelKinds.OPTICAL_FLOW.create(
                    m, VisionModelKinds.OPTICAL_FLOW.readConfig(ConfigJson.parse(FLOW)));
            model.setTraining(false);
            try (ModelRunner ort = ModelRunners.open(model, Engine.ONNXRUNTIME, 1)) {
                for (int b : new int[] {1, 3}) {
                    NDArray x = random(m, b, new Shape(b, 2, 3, 4, 5));
                    NDArray actual = ort.forward(x, null);
                    assertThat(actual.getShape()).isEqualTo(new Shape(b, 4, 5, 2));
                    assertClose(actual, model.forward(x));
                }
            }
        }
    }

    @Test
    void opticalFlowDecodedInChunksOnOnnxRuntimeGivesLibtorchsFlow() {
        try (NDManager m = NDManager.newBaseManager()) {
            OpticalFlow model = VisionModelKinds.OPTICAL_FLOW.create(
                    m, VisionModelKinds.OPTICAL_FLOW.readConfig(ConfigJson.parse(FLOW)));
            model.setTraining(false);
            NDArray x = random(m, 2, new Shape(2, 2, 3, 4, 5));
            NDArray unchunked = model.forward(x);
            // 20 output queries in chunks of 3 (the last of 2), 6 latents of both cross-attention layers in 2 chunks
            // (the first layer's queries are constant, the second's computed)
            model.setQueryChunkSize(3);
            try (ModelRunner ort = ModelRunners.open(model, Engine.ONNXRUNTIME, 1)) {
                NDArray actual = ort.forward(x, null);
                assertClose(actual, model.forward(x));
                assertClose(actual, unchunked);
            }
        }
    }

    @Test
    void learnedImageClassifierOnOnnxRuntimeGivesLibtorchsLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier model = imageClassifier(m, LEARNED);
            try (ModelRunner ort = ModelRunners.open(model, Engine.AUTO, 1)) {
                assertThat(ort.engine()).isEqualTo(Engine.ONNXRUNTIME);
                for (int b : new int[] {1, 2}) {
                    NDArray x = random(m, b, new Shape(b, 4, 5, 3));
                    NDArray actual = ort.forward(x, null);
                    assertThat(actual.getShape()).isEqualTo(new Shape(b, 5));
                    assertClose(actual, model.forward(x));
                }
            }
        }
    }

    /** The conv stem takes any image size: the graph's height and width axes are dynamic too. */
    @Test
    void convImageClassifierOnOnnxRuntimeGivesLibtorchsLogitsForAnySize() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier model = imageClassifier(m, CONV);
            // running statistics and affine parameters away from their identity defaults
            Random r = new Random(7);
            for (Map.Entry<String, Parameter> e : model.stateDict().entrySet()) {
                if (e.getKey().contains("batch_norm") && !e.getKey().endsWith("num_batches_tracked")) {
                    Parameter p = e.getValue();
                    float[] v = new float[(int) p.shape().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = 0.5f + r.nextFloat();
                    }
                    p.load(Tensors.owned(m, v, p.shape()));
                }
            }
            try (ModelRunner ort = ModelRunners.open(model, Engine.ONNXRUNTIME, 1)) {
                int[][] sizes = {{16, 16}, {13, 22}, {5, 5}};
                for (int i = 0; i < sizes.length; i++) {
                    int b = i + 1;
                    NDArray x = random(m, b, new Shape(b, sizes[i][0], sizes[i][1], 3));
                    NDArray actual = ort.forward(x, null);
                    assertThat(actual.getShape()).isEqualTo(new Shape(b, 3));
                    assertClose(actual, model.forward(x));
                }
            }
        }
    }

    private static final String TEXT_ENCODER = """
            "encoder": {"vocab_size": 30, "max_seq_len": 12, "num_input_channels": 16,
             "num_cross_attention_heads": 2, "num_cross_attention_qk_channels": 8, "num_cross_attention_v_channels": 12,
             "num_cross_attention_layers": 2, "first_cross_attention_layer_shared": false,
             "num_self_attention_heads": 2, "num_self_attention_layers_per_block": 1, "num_self_attention_blocks": 2}""";

    /**
     * The text graph gathers its cross-attention keys and values from projected embedding tables instead of
     * projecting the normed input: masked LM and classifier, with every parameter of order 1 (norm scales and shifts and
     * biases away from their defaults), two cross-attention layers with weights of their own, a vocabulary too large for the tables, a masked LM with
     * more channels than ids (its output layer folded into the decoder's MLP), batches 1 and 3, the full length and a
     * shorter one, rows with padding.
     */
    @Test
    void textModelsOnOnnxRuntimeGiveLibtorchsLogits(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLanguageModel mlm = TextModelKinds.MASKED_LANGUAGE_MODEL.create(
                    m, TextModelKinds.MASKED_LANGUAGE_MODEL.readConfig(ConfigJson.parse("{" + TEXT_ENCODER + """
                            , "decoder": {"vocab_size": 30, "max_seq_len": 12, "num_cross_attention_heads": 2},
                            "num_latents": 4, "num_latent_channels": 16}""")));
            TextClassifier classifier = TextModelKinds.TEXT_CLASSIFIER.create(
                    m, TextModelKinds.TEXT_CLASSIFIER.readConfig(ConfigJson.parse("{" + TEXT_ENCODER + """
                            , "decoder": {"num_output_query_channels": 16, "num_classes": 3,
                             "num_cross_attention_heads": 1},
                            "num_latents": 4, "num_latent_channels": 16}""")));
            // 90 tokens + 12 positions > 4 x 16 channels: keys and values projected as for any other input
            TextClassifier largeVocabulary = TextModelKinds.TEXT_CLASSIFIER.create(
                    m,
                    TextModelKinds.TEXT_CLASSIFIER.readConfig(ConfigJson.parse(
                            "{" + TEXT_ENCODER.replace("\"vocab_size\": 30", "\"vocab_size\": 90") + """
                            , "decoder": {"num_output_query_channels": 16, "num_classes": 3,
                             "num_cross_attention_heads": 1},
                            "num_latents": 4, "num_latent_channels": 16}""")));
            // 48 channels > 30 ids: the output layer is folded into the decoder's MLP (maskedDecoderLogits)
            MaskedLanguageModel wideMlm = TextModelKinds.MASKED_LANGUAGE_MODEL.create(
                    m,
                    TextModelKinds.MASKED_LANGUAGE_MODEL.readConfig(ConfigJson.parse("{"
                            + TEXT_ENCODER.replace("\"num_input_channels\": 16", "\"num_input_channels\": 48") + """
                            , "decoder": {"vocab_size": 30, "max_seq_len": 12, "num_cross_attention_heads": 2},
                            "num_latents": 4, "num_latent_channels": 16}""")));
            for (Module model : List.of(mlm, wideMlm, classifier, largeVocabulary)) {
                model.setTraining(false);
                Random r = new Random(11);
                // every parameter of order 1 (norm scales around 1), so that the input reaches the logits clearly
                for (Map.Entry<String, Parameter> e : model.stateDict().entrySet()) {
                    Parameter p = e.getValue();
                    boolean scale = e.getKey().contains("norm") && e.getKey().endsWith("weight");
                    float[] v = new float[(int) p.shape().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (scale ? 1f : 0f) + r.nextFloat() - 0.5f;
                    }
                    p.load(Tensors.owned(m, v, p.shape()));
                }
                // the runner's graph (ONNX Runtime's operators) and export-onnx's (standard operators only)
                Path standard = tmp.resolve(model.getClass().getSimpleName() + ".onnx");
                OnnxExport.export(model, standard);
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try (ModelRunner ort = ModelRunners.open(model, Engine.ONNXRUNTIME, 1);
                        OrtSession plain = env.createSession(standard.toString(), new OrtSession.SessionOptions())) {
                    for (int[] bn : new int[][] {{1, 12}, {3, 7}}) {
                        int b = bn[0];
                        int n = bn[1];
                        long[] ids = new long[b * n];
                        boolean[] pad = new boolean[b * n];
                        for (int row = 0; row < b; row++) {
                            for (int i = 0; i < n; i++) {
                                pad[row * n + i] = i >= n - 2 * row; // row 0 unpadded, then 2 and 4 at the end
                                ids[row * n + i] = pad[row * n + i] ? 0 : 3 + r.nextInt(27);
                            }
                        }
                        NDArray x = Tensors.owned(m, ids, new Shape(b, n));
                        NDArray padMask = Tensors.owned(m, pad, new Shape(b, n));
                        NDArray expected = model instanceof MaskedLanguageModel t
                                ? t.forward(x, padMask)
                                : ((TextClassifier) model).forward(x, padMask);
                        assertClose(ort.forward(x, padMask), expected);
                        Map<String, OnnxTensor> in = Map.of(
                                "x", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {b, n}),
                                "pad_mask",
                                        OnnxTensor.createTensor(
                                                env,
                                                ByteBuffer.wrap(bytes(pad)),
                                                new long[] {b, n},
                                                OnnxJavaType.BOOL));
                        try (OrtSession.Result result = plain.run(in)) {
                            OnnxTensor out = (OnnxTensor) result.get(0);
                            assertClose(
                                    Tensors.owned(
                                            m,
                                            out.getByteBuffer(),
                                            new Shape(out.getInfo().getShape()),
                                            DataType.FLOAT32),
                                    expected);
                        } finally {
                            in.values().forEach(OnnxTensor::close);
                        }
                    }
                }
            }
        }
    }

    @Test
    void causalLanguageModelOnOnnxRuntimeGivesLibtorchsLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(3);
            // absolute position embedding, rotary half of each head, one of two self-attention layers rotary
            CausalLanguageModel withAbs = new CausalLanguageModel(m, TestModels.clmConfig(20, 16, 8, 2, 16));
            checkCausal(m, withAbs);
            // no absolute position embedding: all channels of each head rotated, no output norm or bias
            PerceiverARConfig plain = TestModels.clmConfig(20, 16, 8, 1, 16).toBuilder()
                    .absPosEmb(false)
                    .outputNorm(false)
                    .outputBias(false)
                    .build();
            checkCausal(m, new SymbolicAudioModel(m, plain));
        }
    }

    /** Batches 1 and 3, lengths 16 and 9, prefix_len 0 to 8, rows with and without left padding. */
    private static void checkCausal(NDManager m, CausalSequenceModel model) {
        model.setTraining(false);
        try (CausalModelRunner ort = ModelRunners.openCausal(model, Engine.ONNXRUNTIME, 1)) {
            assertThat(ort.engine()).isEqualTo(Engine.ONNXRUNTIME);
            int[][] cases = {{1, 16, 8}, {3, 9, 4}, {3, 9, 0}, {1, 5, 4}};
            for (int[] c : cases) {
                int b = c[0];
                int n = c[1];
                int prefixLen = c[2];
                long[] ids = new long[b * n];
                boolean[] pad = new boolean[b * n];
                Random r = new Random(n + b);
                for (int row = 0; row < b; row++) {
                    int padding = row == 0 ? 0 : Math.min(n - 1, 2 * row + 1); // padding into the latents, too
                    for (int i = 0; i < n; i++) {
                        ids[row * n + i] = i < padding ? 0 : r.nextInt(20);
                        pad[row * n + i] = i < padding;
                    }
                }
                NDArray x = Tensors.owned(m, ids, new Shape(b, n));
                NDArray padMask = Tensors.owned(m, pad, new Shape(b, n));
                CausalSequenceModel.LmOutput expected = model.forwardLogits(x, prefixLen, padMask, null);
                CausalSequenceModel.LmOutput actual = ort.forward(x, prefixLen, padMask);
                assertThat(actual.logits().getShape()).isEqualTo(new Shape(b, n - prefixLen, 20));
                assertClose(actual.logits(), expected.logits());
                assertClose(actual.lastHiddenState(), expected.lastHiddenState());
                assertClose(
                        ort.forward(x, prefixLen, null).logits(),
                        model.forwardLogits(x, prefixLen, null, null).logits());
            }
            NDArray x = Tensors.owned(m, new long[] {1, 2, 3}, new Shape(1, 3));
            assertThatThrownBy(() -> ort.forward(x, 3, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("prefix_len (3) out of valid range [0..3)");
            NDArray bad = Tensors.owned(m, new long[] {1, 20, 3}, new Shape(1, 3));
            assertThatThrownBy(() -> ort.forward(bad, 1, null))
                    .hasMessage("token id (20) out of range [0, 20) (vocab_size)");
        }
    }

    @Test
    void exportWritesCausalModelsAndRefusesOthersWithTheReason(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel clm = new CausalLanguageModel(m, TestModels.clmConfig(20, 16, 8, 1, 16));
            clm.setTraining(false);
            Path file = tmp.resolve("clm.onnx");
            OnnxExport.export(clm, file);
            assertThat(Files.size(file)).isGreaterThan(4L * clm.numParameters());
            assertThatThrownBy(() -> ModelRunners.open(clm, Engine.ONNXRUNTIME, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("prefix_len");
            Linear linear = new Linear(m, 2, 3, true, 0.1);
            assertThat(OnnxExport.supports(linear)).isFalse();
            assertThatThrownBy(() -> OnnxExport.export(linear, tmp.resolve("linear.onnx")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("model class Linear cannot be exported to ONNX; supported: ");
            assertThat(tmp.toFile().list()).containsExactly("clm.onnx");
        }
    }

    private static ImageClassifier imageClassifier(NDManager m, String json) {
        ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(json)));
        model.setTraining(false);
        return model;
    }

    private static byte[] bytes(boolean[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) (values[i] ? 1 : 0);
        }
        return out;
    }

    private static NDArray random(NDManager m, long seed, Shape shape) {
        float[] data = new float[(int) shape.size()];
        Random r = new Random(seed);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat() * 2 - 1;
        }
        return Tensors.owned(m, data, shape);
    }

    private static void assertClose(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float scale = Math.max(1f, expected.abs().max().getFloat());
        assertThat(actual.sub(expected).abs().max().getFloat()).isLessThan(TOLERANCE * scale);
    }
}
