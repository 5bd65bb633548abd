package dev.perceiver.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationOutput;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * AUTO falls back to libtorch when the ONNX export fails (made to fail for real: the exported file is over a limit
 * lowered to 1,000 bytes) or ONNX Runtime cannot load the exported file (told to read it as ORT format), with one
 * warning line and the weights kept, or, when the weights were freed before the session, tells the owner to load the
 * model again; forced ONNXRUNTIME fails with a one-line error.
 */
class EngineFallbackTest {
    private static final String IMAGE = """
            {"encoder": {"image_shape": [6, 5, 2], "num_frequency_bands": 3, "num_cross_attention_heads": 1,
              "num_cross_attention_layers": 1, "num_self_attention_heads": 2, "num_self_attention_blocks": 1,
              "num_self_attention_layers_per_block": 2},
             "decoder": {"num_output_query_channels": 16, "num_classes": 4, "num_cross_attention_heads": 1},
             "num_latents": 4, "num_latent_channels": 16}""";

    /** Far below any model's graph: every export is refused before it writes. */
    private static final OnnxSessions.Settings TOO_SMALL = new OnnxSessions.Settings(1000, Map.of());

    /** The export succeeds; ONNX Runtime, told to read ORT format, cannot load the ONNX file. */
    private static final OnnxSessions.Settings ORT_FORMAT =
            new OnnxSessions.Settings(OnnxExport.MAX_BYTES, Map.of("session.load_model_format", "ORT"));

    @Test
    void autoRunsOnLibtorchWithTheWeightsKeptWhenTheExportFails() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                    m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(IMAGE)));
            model.setTraining(false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 6, 5, 2));
            float[] expected = model.forward(x).toFloatArray();
            Logged<ModelRunner> auto = logged(() -> ModelRunners.open(model, Engine.AUTO, 1, true, TOO_SMALL));
            try (ModelRunner runner = auto.value()) {
                assertThat(runner.engine()).isEqualTo(Engine.LIBTORCH);
                assertThat(model.stateDict().values()).noneMatch(Parameter::isReleased);
                assertThat(runner.forward(x, null).toFloatArray()).containsExactly(expected);
            }
            assertThat(auto.lines()).hasSize(1);
            assertThat(auto.lines().get(0))
                    .contains("WARN")
                    .contains("--engine auto: exporting the model for ONNX Runtime failed: the ONNX model would have")
                    .contains("over the limit of 1000 bytes")
                    .endsWith("; running ImageClassifier on libtorch instead");

            assertThatThrownBy(() -> ModelRunners.open(model, Engine.ONNXRUNTIME, 1, true, TOO_SMALL))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("--engine onnxruntime: exporting the model for ONNX Runtime failed: the"
                            + " ONNX model would have ")
                    .hasMessageEndingWith(
                            "over the limit of 1000 bytes (--engine libtorch or auto runs it on libtorch)")
                    .hasMessageNotContaining("\n");
            assertThat(model.stateDict().values()).noneMatch(Parameter::isReleased);

            // the same model, with the file size allowed: ONNX Runtime, and the weights freed
            try (ModelRunner ort = ModelRunners.open(model, Engine.AUTO, 1, true, OnnxSessions.Settings.DEFAULT)) {
                assertThat(ort.engine()).isEqualTo(Engine.ONNXRUNTIME);
                assertThat(model.stateDict().values()).allMatch(Parameter::isReleased);
            }
        }
    }

    @Test
    void generationFallsBackToLibtorchsDecodingWithEqualTokens() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(7);
            CausalLanguageModel clm = new CausalLanguageModel(m, TestModels.clmConfig(20, 12, 4, 1, 16));
            clm.setTraining(false);
            PromptBatch prompts = PromptBatch.leftPadded(List.of(new long[] {3, 9, 2, 1}, new long[] {11, 12}), 0);
            GenerationConfig greedy = GenerationConfig.greedy(8).withNumLatents(2);
            GenerationOutput expected = new CausalGenerator(clm).generate(prompts, greedy);

            Logged<CausalDecoderRunner> auto =
                    logged(() -> ModelRunners.openDecoder(clm, Engine.AUTO, 1, true, TOO_SMALL));
            try (CausalDecoderRunner decoder = auto.value()) {
                assertThat(decoder.engine()).isEqualTo(Engine.LIBTORCH);
                assertThat(clm.stateDict().values()).noneMatch(Parameter::isReleased);
                GenerationOutput actual = new CausalGenerator(clm, null, decoder).generate(prompts, greedy);
                assertThat(actual.sequences()).isDeepEqualTo(expected.sequences());
            }
            assertThat(auto.lines()).hasSize(1);
            assertThat(auto.lines().get(0))
                    .contains("--engine auto: exporting the model for ONNX Runtime failed")
                    .endsWith("running CausalLanguageModel on libtorch instead");
            assertThatThrownBy(() -> ModelRunners.openDecoder(clm, Engine.ONNXRUNTIME, 1, true, TOO_SMALL))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("--engine onnxruntime: exporting the model for ONNX Runtime failed")
                    .hasMessageNotContaining("\n");

            Logged<CausalModelRunner> causal = logged(() -> ModelRunners.openCausal(clm, Engine.AUTO, 1, TOO_SMALL));
            try (CausalModelRunner runner = causal.value()) {
                assertThat(runner.engine()).isEqualTo(Engine.LIBTORCH);
            }
            assertThat(causal.lines()).hasSize(1);
            assertThat(clm.stateDict().values()).noneMatch(Parameter::isReleased);
        }
    }

    @Test
    void aFailedSessionFallsBackWhenTheWeightsAreKeptAndReloadsWhenTheyWereFreed() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                    m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(IMAGE)));
            model.setTraining(false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(1, 6, 5, 2));
            float[] expected = model.forward(x).toFloatArray();
            Logged<ModelRunner> kept = logged(() -> ModelRunners.open(model, Engine.AUTO, 1, false, ORT_FORMAT));
            try (ModelRunner runner = kept.value()) {
                assertThat(runner.engine()).isEqualTo(Engine.LIBTORCH);
                assertThat(runner.forward(x, null).toFloatArray()).containsExactly(expected);
            }
            assertThat(kept.lines()).hasSize(1);
            assertThat(kept.lines().get(0))
                    .contains("--engine auto: ONNX Runtime could not load the exported model: ")
                    .endsWith("; running ImageClassifier on libtorch instead");
            assertThatThrownBy(() -> ModelRunners.open(model, Engine.ONNXRUNTIME, 1, false, ORT_FORMAT))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("--engine onnxruntime: ONNX Runtime could not load the exported model: ")
                    .hasMessageNotContaining("\n");
            assertThat(model.stateDict().values()).noneMatch(Parameter::isReleased);

            // weights freed after the export, then the session fails: the owner is told, to load the model again
            assertThatThrownBy(() -> ModelRunners.open(model, Engine.AUTO, 1, true, ORT_FORMAT))
                    .isInstanceOfSatisfying(
                            ModelRunners.SessionFailedAfterRelease.class,
                            e -> assertThat(e.modelClass()).isEqualTo("ImageClassifier"))
                    .hasMessageStartingWith("ONNX Runtime could not load the exported model: ");
            assertThat(model.stateDict().values()).allMatch(Parameter::isReleased);
        }
    }

    @Test
    void loadFallingBackLoadsAgainOnLibtorchOnlyAfterAFailedSessionWithFreedWeights() throws Exception {
        List<Engine> asked = new ArrayList<>();
        Logged<String> reloaded = logged(() -> ModelRunners.loadFallingBack(Engine.AUTO, e -> {
            asked.add(e);
            if (e == Engine.AUTO) {
                try (NDManager m = NDManager.newBaseManager()) {
                    ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.create(
                            m, VisionModelKinds.IMAGE_CLASSIFIER.readConfig(ConfigJson.parse(IMAGE)));
                    ModelRunners.open(model, e, 1, true, ORT_FORMAT).close();
                }
            }
            return "loaded on " + e.label();
        }));
        assertThat(reloaded.value()).isEqualTo("loaded on libtorch");
        assertThat(asked).containsExactly(Engine.AUTO, Engine.LIBTORCH);
        assertThat(reloaded.lines()).hasSize(1);
        assertThat(reloaded.lines().get(0))
                .contains("--engine auto: ONNX Runtime could not load the exported model: ")
                .endsWith("; loading ImageClassifier again to run it on libtorch instead");
        // a load that works, or another failure, is not retried
        String plain = ModelRunners.loadFallingBack(Engine.AUTO, e -> "loaded on " + e.label());
        assertThat(plain).isEqualTo("loaded on auto");
        assertThatThrownBy(() -> ModelRunners.loadFallingBack(Engine.AUTO, e -> {
                    throw new java.io.IOException("no such folder");
                }))
                .hasMessage("no such folder");
    }

    @Test
    void exportAndSessionFailuresAreToldApart() {
        assertThatThrownBy(() -> OnnxSessions.open(
                        file -> {
                            throw new IllegalArgumentException("op Foo is not supported");
                        },
                        () -> {},
                        1,
                        OnnxSessions.Settings.DEFAULT))
                .isInstanceOfSatisfying(
                        OnnxSessions.Unavailable.class,
                        e -> assertThat(e.stage()).isEqualTo(OnnxSessions.Stage.EXPORT))
                .hasMessage("exporting the model for ONNX Runtime failed: op Foo is not supported");
        // a file ONNX Runtime cannot parse: the export "succeeded", the session fails
        assertThatThrownBy(() -> OnnxSessions.open(
                        file -> Files.write(file, "not an ONNX model".getBytes(StandardCharsets.UTF_8)),
                        () -> {},
                        1,
                        OnnxSessions.Settings.DEFAULT))
                .isInstanceOfSatisfying(
                        OnnxSessions.Unavailable.class,
                        e -> assertThat(e.stage()).isEqualTo(OnnxSessions.Stage.SESSION))
                .hasMessageStartingWith("ONNX Runtime could not load the exported model: ")
                .hasMessageNotContaining("\n");
    }

    private record Logged<T>(T value, List<String> lines) {}

    /** Runs {@code call} with System.err captured (slf4j-simple writes there): its value and the lines written. */
    private static <T> Logged<T> logged(Callable<T> call) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        T value;
        try {
            value = call.call();
        } finally {
            System.setErr(err);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        return new Logged<>(value, text.isEmpty() ? List.of() : text.lines().toList());
    }
}
