package dev.perceiver.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad command lines of {@code perceiver spark} exit with 2 and one line naming the option, before Spark starts. */
class SparkCommandTest {
    private static String[] run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = SparkCommand.execute(args);
            return new String[] {Integer.toString(code), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void unknownTaskAndFormatAreBadInput() {
        String[] r = run("classify-sound", "--model", "m", "--input", "i", "--output", "o");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1].strip())
                .isEqualTo("error: task (classify-sound) must be one of fill-mask, classify-text, generate, "
                        + "classify-image, embed, flow");
        r = run("classify-text", "--model", "m", "--input", "i", "--output", "o", "--format", "csv");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1].strip()).isEqualTo("error: --format (csv) must be json or parquet");
    }

    @Test
    void aBadEngineAndEmbedOnOnnxRuntimeAreBadInput() {
        String[] r = run("classify-text", "--model", "m", "--input", "i", "--output", "o", "--engine", "tpu");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1].strip())
                .isEqualTo("error: --engine (tpu) must be libtorch, onnxruntime, onnxruntime-int8 or auto");
        r = run("embed", "--model", "m", "--input", "i", "--output", "o", "--engine", "onnxruntime");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1].strip())
                .isEqualTo("error: --engine onnxruntime: embed runs the encoder alone, on libtorch only; use --engine"
                        + " libtorch or auto");
        r = run("generate", "--model", "m", "--input", "i", "--output", "o", "--engine", "onnxruntime-int8");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1].strip())
                .isEqualTo("error: --engine onnxruntime-int8: generate has no int8 graph; use --engine onnxruntime,"
                        + " auto or libtorch");
    }
}
