package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code perceiver export-onnx}: writes a file for an exportable folder, refuses other models with exit code 2. */
class ExportOnnxCommandTest {
    private static final Path FOLDERS =
            Path.of("..", "perceiver-train", "src", "test", "resources", "fixtures-folders");
    private static final Path HUGGINGFACE =
            Path.of("..", "perceiver-train", "src", "test", "resources", "fixtures-huggingface");

    @Test
    void exportsAMaskedLanguageModelFolder(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("sub").resolve("mlm.onnx");
        TrainCommandTest.Run r = TrainCommandTest.run(
                "export-onnx", "--model", FOLDERS.resolve("mlm").toString(), out.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out).contains("MaskedLanguageModel");
        assertThat(Files.size(out)).isGreaterThan(1000);
        assertThat(Files.list(out.getParent()).count()).isEqualTo(1);
    }

    @Test
    void exportsCausalModelFolders(@TempDir Path tmp) throws Exception {
        for (String name : new String[] {"clm", "symbolic_audio"}) {
            Path out = tmp.resolve(name + ".onnx");
            TrainCommandTest.Run r = TrainCommandTest.run(
                    "export-onnx", "--model", FOLDERS.resolve(name).toString(), out.toString());
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("wrote " + out);
            assertThat(Files.size(out)).isGreaterThan(1000);
        }
    }

    @Test
    void refusesAMultimodalAutoencoderWithTheReason(@TempDir Path tmp) {
        Path out = tmp.resolve("multimodal.onnx");
        TrainCommandTest.Run r = TrainCommandTest.run(
                "export-onnx", "--model", HUGGINGFACE.resolve("multimodal").toString(), out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("MultimodalAutoencoder cannot be exported").contains("supported");
        assertThat(out).doesNotExist();
    }
}
