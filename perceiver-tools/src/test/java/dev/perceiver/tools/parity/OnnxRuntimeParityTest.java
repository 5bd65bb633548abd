package dev.perceiver.tools.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.inference.engine.Engine;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exportable task models of the reference fixtures run on ONNX Runtime (graphs from {@code OnnxExport}) give the
 * reference's outputs within the fixture tolerance, as the libtorch path does; clm_generate decodes with the kv cache
 * on ONNX Runtime (the same tokens, step logits within the tolerance).
 */
class OnnxRuntimeParityTest {
    private static final Path FOLDERS =
            Path.of("..", "perceiver-train", "src", "test", "resources", "fixtures-folders");
    private static final Path HUGGINGFACE =
            Path.of("..", "perceiver-train", "src", "test", "resources", "fixtures-huggingface");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "image_classifier_repeated",
                "image_classifier_shared",
                "text_mlm_tied",
                "text_mlm_untied",
                "text_classifier",
                "optical_flow",
                "clm_forward",
                "clm_generate"
            })
    void fixtureCasePassesOnOnnxRuntime(String name) throws Exception {
        CaseResult r = new ParityRunner(Engine.ONNXRUNTIME)
                .run(ParityRunnerTest.fixtures().resolve(name + ".safetensors"));
        assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.PASSED);
        assertThat(r.checks()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"image_classifier", "mlm", "text_classifier", "clm", "symbolic_audio"})
    void folderCasePassesOnOnnxRuntime(String name) {
        CaseResult r = new ParityRunner(Engine.ONNXRUNTIME).run(FOLDERS.resolve(name + ".expected.safetensors"));
        assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.PASSED);
        assertThat(r.checks()).isNotEmpty();
    }

    /** Hugging Face layout folders of the kinds export-onnx learned last (flow, learned and conv preprocessing). */
    @ParameterizedTest
    @ValueSource(strings = {"optical_flow", "optical_flow-krasserm", "vision_conv", "vision_learned"})
    void huggingFaceFolderCasePassesOnOnnxRuntime(String name) {
        CaseResult r = new ParityRunner(Engine.ONNXRUNTIME).run(HUGGINGFACE.resolve(name + ".expected.safetensors"));
        assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.PASSED);
        assertThat(r.checks()).isNotEmpty();
    }
}
