package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.inference.hub.ModelResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code serve --model [NAME=]DIR} values become model ids and folders. */
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
}
