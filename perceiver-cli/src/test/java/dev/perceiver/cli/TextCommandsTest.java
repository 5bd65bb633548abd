package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.text.TextTestModels;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generate, fill-mask and classify-text commands on small random model folders saved by the project. */
class TextCommandsTest {
    @TempDir
    static Path models;

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void saveModels() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            TextModelFolder.save(
                    new CausalLanguageModel(m, TestModels.clmConfig(262, 32, 8, 1, 16)),
                    models.resolve("clm"),
                    Map.of(),
                    new BytesTokenizer());
            TextModelFolder.save(
                    TextTestModels.mlm(m, 262, 32, 6), models.resolve("mlm"), Map.of(), new BytesTokenizer());
            TextModelFolder.save(
                    TextTestModels.classifier(m, 262, 32, 3, 7),
                    models.resolve("clf"),
                    ModelFolder.labelEntries(new String[] {"a", "b", "c"}),
                    new BytesTokenizer());
        }
    }

    /** Exit code, standard output and standard error of one command line. */
    private record Run(int code, String out, String err) {
        List<JsonNode> json() throws Exception {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    nodes.add(JSON.readTree(line));
                }
            }
            return nodes;
        }
    }

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void generatePrintsOneJsonObjectPerPromptAndIsReproducibleWithASeed() throws Exception {
        String clm = models.resolve("clm").toString();
        Run a = run(
                "generate",
                "--model",
                clm,
                "--prompt",
                "Hello",
                "--prompt",
                "a longer prompt",
                "--max-new-tokens",
                "5",
                "--num-latents",
                "2",
                "--seed",
                "42",
                "--top-k",
                "20",
                "--json",
                "--ignore-eos");
        assertThat(a.code()).as(a.err()).isZero();
        List<JsonNode> results = a.json();
        assertThat(results).hasSize(2);
        assertThat(results.get(0).get("prompt").asText()).isEqualTo("Hello");
        assertThat(results.get(1).get("full_text").asText()).startsWith("a longer prompt");
        assertThat(results.get(0).get("tokens")).hasSize(5);
        assertThat(results.get(0).get("strategy").asText()).isEqualTo("sample");
        assertThat(results.get(0).get("seed").asLong()).isEqualTo(42);
        Run b = run(
                "generate",
                "--model",
                clm,
                "--prompt",
                "Hello",
                "--prompt",
                "a longer prompt",
                "--max-new-tokens",
                "5",
                "--num-latents",
                "2",
                "--seed",
                "42",
                "--top-k",
                "20",
                "--json",
                "--ignore-eos");
        assertThat(b.out()).isEqualTo(a.out());
    }

    @Test
    void greedyGenerationPrintsTheFullTextByDefault() {
        Run r = run("generate", "--model", models.resolve("clm").toString(), "--prompt", "Hi", "--max-new-tokens", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Hi");
    }

    @Test
    void fillMaskPrintsCandidatesAndFilledTexts() throws Exception {
        Run r = run(
                "fill-mask",
                "--model",
                models.resolve("mlm").toString(),
                "--top-k",
                "2",
                "--json",
                "ab[MASK]d",
                "x<mask><mask>");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> results = r.json();
        assertThat(results).hasSize(2);
        JsonNode first = results.get(0);
        assertThat(first.get("masks")).hasSize(1);
        assertThat(first.get("masks").get(0).get("position").asInt()).isEqualTo(3);
        assertThat(first.get("masks").get(0).get("candidates")).hasSize(2);
        double s0 =
                first.get("masks").get(0).get("candidates").get(0).get("score").asDouble();
        double s1 =
                first.get("masks").get(0).get("candidates").get(1).get("score").asDouble();
        assertThat(s0).isGreaterThanOrEqualTo(s1).isLessThanOrEqualTo(1.0);
        assertThat(first.get("filled_texts")).hasSize(2);
        assertThat(results.get(1).get("text").asText()).isEqualTo("x[MASK][MASK]");
        assertThat(results.get(1).get("masks")).hasSize(2);

        Run human = run("fill-mask", "--model", models.resolve("mlm").toString(), "ab[MASK]d");
        assertThat(human.code()).isZero();
        assertThat(human.out())
                .startsWith("ab[MASK]d")
                .contains("  1. ab")
                .contains("  5. ab")
                .contains("position 3:");
    }

    @Test
    void classifyTextPrintsLabelsFromId2Label() throws Exception {
        Run r = run(
                "classify-text", "--model", models.resolve("clf").toString(), "--top-k", "3", "--json", "good", "bad");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> results = r.json();
        assertThat(results).hasSize(2);
        List<String> labels = new ArrayList<>();
        results.get(0).get("labels").forEach(l -> labels.add(l.get("label").asText()));
        assertThat(labels).containsExactlyInAnyOrder("a", "b", "c");
        Run human = run("classify-text", "--model", models.resolve("clf").toString(), "good");
        assertThat(human.out()).matches("(?s)[abc] \\d\\.\\d{4}  good\\R");
    }

    @Test
    void badInputIsOneLineOnStderrWithExitCode2() {
        Run latents = run(
                "generate",
                "--model",
                models.resolve("clm").toString(),
                "--prompt",
                "Hello",
                "--max-new-tokens",
                "3",
                "--num-latents",
                "9");
        assertThat(latents.code()).isEqualTo(2);
        assertThat(latents.err().strip()).isEqualTo("error: num_latents=9 out of valid range [1..8] (max_latents)");
        Run wrongType = run("fill-mask", "--model", models.resolve("clf").toString(), "a[MASK]");
        assertThat(wrongType.code()).isEqualTo(2);
        assertThat(wrongType.err().strip())
                .isEqualTo("error: model folder " + models.resolve("clf") + " holds a text-classification model "
                        + "(model_type perceiver-io-text-classifier); a fill-mask model (model_type "
                        + "perceiver-io-masked-language-model) is needed");
        Run noMask = run("fill-mask", "--model", models.resolve("mlm").toString(), "no mask");
        assertThat(noMask.code()).isEqualTo(2);
        assertThat(noMask.err().lines()).singleElement().asString().contains("contains no mask token");
        Run missing = run("classify-text", "--model", models.resolve("nothing").toString(), "x");
        assertThat(missing.code()).isEqualTo(2);
    }

    /** Every inference command refuses a folder of another task's model alike: exit 2, one line naming both. */
    @Test
    void aFolderOfAnotherTasksModelIsOneLineAndExitCode2() throws Exception {
        Path png = models.resolve("x.png");
        javax.imageio.ImageIO.write(
                new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
                "png",
                png.toFile());
        String mlm = models.resolve("mlm").toString();
        String clm = models.resolve("clm").toString();
        List<Run> runs = List.of(
                run("generate", "--model", mlm, "--prompt", "Hi", "--max-new-tokens", "2"),
                run("classify-text", "--model", clm, "good"),
                run("fill-mask", "--model", clm, "a[MASK]"),
                run("classify-image", "--model", mlm, png.toString()),
                run(
                        "flow",
                        "--model",
                        mlm,
                        "--output-png",
                        models.resolve("flow.png").toString(),
                        png.toString(),
                        png.toString()),
                run("validate", "image-classifier", "--checkpoint", mlm));
        List<String> expected = List.of(
                "a text-generation model (model_type perceiver-ar-causal-language-model) is needed",
                "a text-classification model (model_type perceiver-io-text-classifier) is needed",
                "a fill-mask model (model_type perceiver-io-masked-language-model) is needed",
                "an image-classification model (model_type perceiver-io-image-classifier) is needed",
                "an optical-flow model (model_type perceiver-io-optical-flow) is needed",
                "validate image-classifier needs an image-classification model (model_type "
                        + "perceiver-io-image-classifier)");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err().lines())
                    .as(r.err())
                    .singleElement()
                    .asString()
                    .startsWith("error: model folder ")
                    .contains(" holds a ")
                    .endsWith(expected.get(i));
        }
    }

    @Test
    void helpDocumentsEveryOptionWithItsDefault() {
        Run g = run("generate", "--help");
        assertThat(g.out())
                .contains("--num-latents=N")
                .contains("(default: 1)")
                .contains("--top-p=P")
                .contains("(default: 1.0)")
                .contains("--seed=S")
                .contains("--json");
        assertThat(run("fill-mask", "--help").out()).contains("--top-k=K").contains("(default: 5)");
        assertThat(run("classify-text", "--help").out()).contains("--top-k=K").contains("(default: 1)");
        assertThat(run("--help").out())
                .contains("generate")
                .contains("fill-mask")
                .contains("classify-text");
    }
}
