package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code perceiver parity} on the model-folder fixtures: one line per case, skipped Hugging Face transformers cases
 * counted apart, exit code 0 when nothing failed.
 */
class ParityCommandTest {
    private static final Path RESOURCES = Path.of("..", "perceiver-train", "src", "test", "resources");

    @Test
    void huggingFaceFixturesPassOrAreSkippedWithTheReasonAndTheCommandSucceeds() {
        Path dir = RESOURCES.resolve("fixtures-huggingface");
        assertThat(dir).isDirectory();
        TrainCommandTest.Run r = TrainCommandTest.run("parity", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(11);
        assertThat(lines.get(10)).isEqualTo("10 passed, 0 failed");
        assertThat(lines).noneMatch(l -> l.contains(" SKIPPED "));
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
