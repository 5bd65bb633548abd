package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code --engine} mixin of generate and generate-audio: listed by both, checked before the model is loaded. */
class DecodingEngineOptionTest {
    private static final Path CLM =
            Path.of("..", "perceiver-train", "src", "test", "resources", "fixtures-folders", "clm");

    @Test
    void bothGeneratingCommandsListTheOption() {
        for (String command : new String[] {"generate", "generate-audio"}) {
            TrainCommandTest.Run r = TrainCommandTest.run(command, "--help");
            assertThat(r.code()).isZero();
            assertThat(r.out())
                    .contains("--engine=libtorch|onnxruntime|auto")
                    .contains("Engine of the cached decoding steps (default: auto");
        }
    }

    @Test
    void refusesAnUnknownEngineAndOnnxRuntimeWithOptionsThatRunOnLibtorchOnly() {
        TrainCommandTest.Run unknown = TrainCommandTest.run(
                "generate", "--model", CLM.toString(), "--prompt", "ab", "--max-new-tokens", "2", "--engine", "gpu");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err().strip())
                .isEqualTo("error: --engine (gpu) must be libtorch, onnxruntime, onnxruntime-int8 or auto");
        TrainCommandTest.Run fp16 = TrainCommandTest.run(
                "generate",
                "--model",
                CLM.toString(),
                "--prompt",
                "ab",
                "--max-new-tokens",
                "2",
                "--engine",
                "onnxruntime",
                "--fp16");
        assertThat(fp16.code()).isEqualTo(2);
        assertThat(fp16.err().strip())
                .isEqualTo("error: --engine onnxruntime: --fp16 (float16 decoding steps) runs on libtorch only; use"
                        + " --engine libtorch or auto");
    }

    @Test
    void int8IsRefusedForGenerationAndParityButRunsFillMask() {
        TrainCommandTest.Run generate = TrainCommandTest.run(
                "generate",
                "--model",
                CLM.toString(),
                "--prompt",
                "ab",
                "--max-new-tokens",
                "2",
                "--engine",
                "onnxruntime-int8");
        assertThat(generate.code()).isEqualTo(2);
        assertThat(generate.err().strip()).startsWith("error: --engine onnxruntime-int8 runs the forward pass of");
        assertThat(generate.err().strip().lines()).hasSize(1);
        TrainCommandTest.Run parity = TrainCommandTest.run(
                "parity", "--engine", "onnxruntime-int8", CLM.getParent().toString());
        assertThat(parity.code()).isEqualTo(2);
        assertThat(parity.err().strip()).startsWith("error: --engine onnxruntime-int8: parity checks float32 engines");
        Path mlm = CLM.resolveSibling("mlm");
        TrainCommandTest.Run fill = TrainCommandTest.run(
                "fill-mask", "--model", mlm.toString(), "--engine", "onnxruntime-int8", "a [MASK] b");
        assertThat(fill.code()).as(fill.err()).isZero();
    }
}
