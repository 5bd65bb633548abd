package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code perceiver convert} of every published-layout fixture folder: the converted folders pass the same parity
 * cases (same inputs, same expected outputs) as the originals, loading only {@code model.safetensors}.
 */
class ConvertCommandTest {
    private static final Path RESOURCES = Path.of("..", "perceiver-train", "src", "test", "resources");

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"fixtures-folders | 5 passed, 0 failed", "fixtures-huggingface | 10 passed, 0 failed"})
    void convertedFoldersGiveTheSameOutputs(String fixtures, String summary, @TempDir Path tmp) throws IOException {
        Path dir = RESOURCES.resolve(fixtures.trim());
        List<Path> cases;
        try (Stream<Path> s = Files.list(dir)) {
            cases = s.filter(p -> p.getFileName().toString().endsWith(".expected.safetensors"))
                    .sorted()
                    .toList();
        }
        assertThat(cases).isNotEmpty();
        for (Path expected : cases) {
            String name = expected.getFileName().toString().replace(".expected.safetensors", "");
            Files.copy(expected, tmp.resolve(expected.getFileName()));
            TrainCommandTest.Run r = TrainCommandTest.run(
                    "convert", dir.resolve(name).toString(), tmp.resolve(name).toString());
            assertThat(r.code()).as(name + ": " + r.out() + r.err()).isZero();
            assertThat(r.out()).contains("wrote").contains("tensors in model.safetensors");
            Path converted = tmp.resolve(name);
            assertThat(converted.resolve("model.safetensors")).isRegularFile();
            assertThat(converted.resolve("pytorch_model.bin")).doesNotExist();
        }
        TrainCommandTest.Run parity = TrainCommandTest.run("parity", tmp.toString());
        assertThat(parity.code()).as(parity.out() + parity.err()).isZero();
        assertThat(parity.out().lines().toList()).last().isEqualTo(summary.trim());
    }

    /**
     * {@code --layout huggingface}: every Hugging Face fixture folder transformers computes (the reference's
     * conversions {@code NAME-krasserm} of DeepMind's models and transformers' own folders) written in transformers'
     * layout gives the same outputs; the reference's tiny models that transformers' classes cannot express (other
     * decoder heads, other image sizes, Perceiver AR) are refused with one line naming the difference.
     */
    @org.junit.jupiter.api.Test
    void toTheHuggingFaceLayoutWhereItExpressesTheModel(@TempDir Path tmp) throws IOException {
        Path dir = RESOURCES.resolve("fixtures-huggingface");
        List<Path> cases;
        try (Stream<Path> s = Files.list(dir)) {
            cases = s.filter(p -> p.getFileName().toString().endsWith(".expected.safetensors"))
                    .sorted()
                    .toList();
        }
        for (Path expected : cases) {
            String name = expected.getFileName().toString().replace(".expected.safetensors", "");
            Files.copy(expected, tmp.resolve(expected.getFileName()));
            TrainCommandTest.Run r = TrainCommandTest.run(
                    "convert", dir.resolve(name).toString(), tmp.resolve(name).toString(), "--layout", "huggingface");
            if (name.equals("multimodal")) {
                // loaded from transformers' layout, but not written back to it: refused in one line, nothing written
                assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
                assertThat(r.err().strip()).startsWith("error: ").contains("no transformers form");
                assertThat(tmp.resolve(name).resolve("config.json")).doesNotExist();
                copyFolder(dir.resolve(name), tmp.resolve(name));
                continue;
            }
            assertThat(r.code()).as(name + ": " + r.out() + r.err()).isZero();
            assertThat(r.out()).contains("names mapped to transformers' parameter names");
            Path converted = tmp.resolve(name);
            String config = Files.readString(converted.resolve("config.json"));
            assertThat(config).contains("\"model_type\" : \"perceiver\"").contains("\"PerceiverFor");
            assertThat(config).doesNotContain("model_config");
            assertThat(converted.resolve("model.safetensors")).isRegularFile();
        }
        TrainCommandTest.Run parity = TrainCommandTest.run("parity", tmp.toString());
        assertThat(parity.code()).as(parity.out() + parity.err()).isZero();
        assertThat(parity.out().lines().toList()).last().isEqualTo("10 passed, 0 failed");

        for (String name : List.of("mlm", "text_classifier", "image_classifier", "clm", "symbolic_audio")) {
            Path src = RESOURCES.resolve("fixtures-folders").resolve(name);
            TrainCommandTest.Run r = TrainCommandTest.run(
                    "convert", src.toString(), tmp.resolve("refused-" + name).toString(), "--layout", "huggingface");
            assertThat(r.code()).as(name + ": " + r.out() + r.err()).isEqualTo(2);
            assertThat(r.err().strip())
                    .startsWith("error: ")
                    .containsAnyOf("is not one that transformers computes", "has no Hugging Face transformers")
                    .doesNotContain("\n");
            assertThat(tmp.resolve("refused-" + name).resolve("config.json")).doesNotExist();
        }
        TrainCommandTest.Run bad = TrainCommandTest.run(
                "convert",
                dir.resolve("vision_conv").toString(),
                tmp.resolve("x").toString(),
                "--layout",
                "onnx");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--layout 'onnx' must be 'reference' or 'huggingface'");
    }

    @ParameterizedTest
    @CsvSource({"fixtures-folders, mlm"})
    void refusesToOverwriteAFolder(String fixtures, String name, @TempDir Path tmp) throws IOException {
        Path src = RESOURCES.resolve(fixtures).resolve(name);
        assertThat(TrainCommandTest.run("convert", src.toString(), tmp.toString())
                        .code())
                .isZero();
        TrainCommandTest.Run again = TrainCommandTest.run("convert", src.toString(), tmp.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("DST").contains("already holds a config.json");
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
