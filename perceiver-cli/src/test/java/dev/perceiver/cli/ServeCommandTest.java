package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.inference.hub.ModelResolver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code serve --model [NAME=]DIR} values become model ids and folders; the {@code --engine} option. */
class ServeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aModelIsNamedByItsNameOrItsFolder() throws Exception {
        Path clm = Files.createDirectories(tmp.resolve("clm"));
        Path other = Files.createDirectories(tmp.resolve("x/best"));
        Map<String, Path> folders =
                ServeCommand.folders(List.of(clm.toString(), "imdb=" + other), ModelResolver.fromEnvironment());
        assertThat(folders.keySet()).containsExactly("clm", "imdb");
        assertThat(folders.get("imdb")).isEqualTo(other);
    }

    @Test
    void duplicateAndInvalidNamesAreRefused() throws Exception {
        Path clm = Files.createDirectories(tmp.resolve("clm"));
        assertThatThrownBy(() ->
                        ServeCommand.folders(List.of(clm.toString(), "clm=" + clm), ModelResolver.fromEnvironment()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already given");
        assertThatThrownBy(() -> ServeCommand.folders(List.of("a b=" + clm), ModelResolver.fromEnvironment()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("may hold only");
    }

    @Test
    void aBadEngineIsOneLineNamingTheOptionAndItsValuesWithExitTwo() throws Exception {
        Path clm = Files.createDirectories(tmp.resolve("clm"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.execute("serve", "--model", clm.toString(), "--port", "0", "--engine", "tpu"))
                    .isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8).strip())
                    .isEqualTo("error: --engine (tpu) must be libtorch, onnxruntime, onnxruntime-int8 or auto");
            assertThat(Main.execute("serve", "--help")).isEqualTo(0);
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("--engine=libtorch|onnxruntime|onnxruntime-int8|auto")
                    .contains("(default: auto:");
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }
}
