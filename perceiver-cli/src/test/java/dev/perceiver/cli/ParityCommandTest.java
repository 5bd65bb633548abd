package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code perceiver parity} on the model-folder fixtures: one line per case, skipped Hugging Face transformers cases
 * counted apart, exit code 0 when nothing failed.
 */
class ParityCommandTest {
    private static final Path RESOURCES = Path.of("..", "perceiver-train", "src", "test", "resources");

    @Test
    void huggingFaceFixturesPassOrAreSkippedAndTheCommandSucceeds() {
        Path dir = RESOURCES.resolve("fixtures-huggingface");
        assertThat(dir).isDirectory();
        TrainCommandTest.Run r = TrainCommandTest.run("parity", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(11);
        Matcher m =
                Pattern.compile("(\\d+) passed, 0 failed(?:, (\\d+) skipped)?").matcher(lines.get(10));
        assertThat(m.matches()).as(lines.get(10)).isTrue();
        int passed = Integer.parseInt(m.group(1));
        int skipped = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        assertThat(passed + skipped).isEqualTo(10);
        assertThat(passed).isGreaterThanOrEqualTo(3);
        assertThat(lines.stream().filter(l -> l.contains(" SKIPPED ")).count()).isEqualTo(skipped);
        assertThat(lines)
                .filteredOn(l -> l.startsWith("vision_fourier-krasserm"))
                .singleElement()
                .asString()
                .contains("PASSED")
                .contains("logits=")
                .contains("last_hidden_state=");
    }

    @Test
    void krassermFoldersAllPass() {
        Path dir = RESOURCES.resolve("fixtures-folders");
        assertThat(Files.isDirectory(dir)).isTrue();
        TrainCommandTest.Run r = TrainCommandTest.run("parity", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines().toList()).last().isEqualTo("5 passed, 0 failed");
    }
}
