package dev.perceiver.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.FillMaskResult;
import dev.perceiver.inference.text.GeneratedText;
import dev.perceiver.inference.text.TextClassificationPipeline;
import dev.perceiver.inference.text.TextGenerationPipeline;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.text.TextModelKinds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch inference in local mode (two task threads, two partitions) against the single-process pipelines, row for
 * row; bad rows become error rows or, with fail-fast, a failed job naming the row.
 */
class SparkInferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXTS =
            List.of("a fine film", "dull", "thin plot, good actors", "ok", "x y z", "bad!");

    @TempDir
    static Path dir;

    private static SparkSession spark;
    private static NDManager manager;

    @BeforeAll
    static void start() throws IOException {
        manager = NDManager.newBaseManager();
        TinyModels.classifier(manager, dir.resolve("clf"));
        TinyModels.mlm(manager, dir.resolve("mlm"));
        TinyModels.clm(manager, dir.resolve("clm"));
        TinyModels.imageClassifier(manager, dir.resolve("img-clf"));
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("SparkInferenceTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        manager.close();
    }

    private static InferenceSettings settings(InferenceTask task, String model, int topK, boolean failFast) {
        // compared with the libtorch pipelines; SparkEnginesTest compares the engines
        return new InferenceSettings(
                task,
                dir.resolve(model).toString(),
                task.inputFields(),
                2,
                topK,
                6,
                1,
                "mean",
                20,
                1,
                2,
                failFast,
                Engine.LIBTORCH);
    }

    private static Path jsonl(String name, List<String> lines) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, lines);
        return f;
    }

    private static List<String> textRows(List<String> texts, String field) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            lines.add(JSON.createObjectNode()
                    .put("id", "t" + i)
                    .put(field, texts.get(i))
                    .toString());
        }
        return lines;
    }

    /** The output rows by id, in id order of insertion (part files in name order). */
    private static Map<String, JsonNode> output(Path out) throws IOException {
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) {
                for (String line : Files.readAllLines(f)) {
                    JsonNode node = JSON.readTree(line);
                    assertThat(rows.put(node.get("id").asText(), node)).isNull();
                }
            }
        }
        return rows;
    }

    private static void assertLabels(JsonNode labels, List<LabelScore> expected) {
        assertThat(labels).hasSize(expected.size());
        for (int k = 0; k < expected.size(); k++) {
            assertThat(labels.get(k).get("label").asText())
                    .isEqualTo(expected.get(k).label());
            assertThat(labels.get(k).get("index").asInt())
                    .isEqualTo(expected.get(k).index());
            assertThat(labels.get(k).get("score").asDouble())
                    .isCloseTo(expected.get(k).score(), within(1e-6));
        }
    }

    @Test
    void classifyTextEqualsThePipelineRowForRow() throws IOException {
        Path out = dir.resolve("out-clf");
        SparkInference.Summary s = SparkInference.run(
                spark,
                settings(InferenceTask.CLASSIFY_TEXT, "clf", 2, false),
                jsonl("texts.jsonl", textRows(TEXTS, "text")),
                out,
                2,
                false);
        Map<String, JsonNode> rows = output(out);
        assertThat(rows.values().stream().filter(r -> r.has("error")).toList()).isEmpty();
        assertThat(s.rows()).isEqualTo(TEXTS.size());
        assertThat(s.errors()).isZero();
        List<List<LabelScore>> expected;
        try (NDManager m = NDManager.newBaseManager();
                TextModelFolder<TextClassifier> f =
                        TextModelFolder.load(dir.resolve("clf"), m, "t", TextModelKinds.TEXT_CLASSIFIER)) {
            expected = new TextClassificationPipeline(f.model(), f.tokenizer(), f.labels(), 8).classify(TEXTS, 2);
        }
        assertThat(rows).hasSize(TEXTS.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            JsonNode row = rows.get("t" + i);
            assertThat(row.get("text").asText()).isEqualTo(TEXTS.get(i));
            assertLabels(row.get("labels"), expected.get(i));
            assertThat(row.has("error")).isFalse();
        }
    }

    @Test
    void classifyTextOnTheDefaultEngineEqualsThePipelineOnLibtorchWithinTheOnnxRuntimeTolerance() throws IOException {
        InferenceSettings lt = settings(InferenceTask.CLASSIFY_TEXT, "clf", 3, false);
        InferenceSettings auto = new InferenceSettings(
                lt.task(), lt.modelDir(), lt.inputFields(), 2, 3, 6, 1, "mean", 20, 1, 2, false, Engine.AUTO);
        Path out = dir.resolve("out-clf-auto");
        SparkInference.run(spark, auto, jsonl("texts-auto.jsonl", textRows(TEXTS, "text")), out, 2, false);
        Map<String, JsonNode> rows = output(out);
        List<List<LabelScore>> expected;
        try (TextClassificationPipeline p =
                TextClassificationPipeline.load(dir.resolve("clf"), 8, Engine.LIBTORCH, 1)) {
            expected = p.classify(TEXTS, 3);
        }
        assertThat(rows).hasSize(TEXTS.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            JsonNode labels = rows.get("t" + i).get("labels");
            for (int k = 0; k < 3; k++) {
                assertThat(labels.get(k).get("index").asInt())
                        .isEqualTo(expected.get(i).get(k).index());
                assertThat(labels.get(k).get("score").asDouble())
                        .isCloseTo(expected.get(i).get(k).score(), within(1e-4));
            }
        }
    }

    @Test
    void fillMaskEqualsThePipelineRowForRow() throws IOException {
        List<String> texts = List.of("a [MASK]ine film", "[MASK][MASK]ll", "the plot [MASK]as thin", "o[MASK]");
        Path out = dir.resolve("out-mlm");
        SparkInference.run(
                spark,
                settings(InferenceTask.FILL_MASK, "mlm", 3, false),
                jsonl("masked.jsonl", textRows(texts, "text")),
                out,
                2,
                false);
        Map<String, JsonNode> rows = output(out);
        List<FillMaskResult> expected;
        try (NDManager m = NDManager.newBaseManager();
                TextModelFolder<MaskedLanguageModel> f =
                        TextModelFolder.load(dir.resolve("mlm"), m, "t", TextModelKinds.MASKED_LANGUAGE_MODEL)) {
            expected = new FillMaskPipeline(f.model(), f.tokenizer(), 8).fill(texts, 3);
        }
        for (int i = 0; i < texts.size(); i++) {
            JsonNode row = rows.get("t" + i);
            JsonNode want = ResultJson.fillMask(expected.get(i));
            assertThat(row.get("filled_texts")).isEqualTo(want.get("filled_texts"));
            assertThat(row.get("masks")).hasSize(want.get("masks").size());
            for (int p = 0; p < want.get("masks").size(); p++) {
                JsonNode got = row.get("masks").get(p);
                JsonNode exp = want.get("masks").get(p);
                assertThat(got.get("position")).isEqualTo(exp.get("position"));
                for (int c = 0; c < exp.get("candidates").size(); c++) {
                    JsonNode gc = got.get("candidates").get(c);
                    JsonNode ec = exp.get("candidates").get(c);
                    assertThat(gc.get("token_id").asLong())
                            .isEqualTo(ec.get("token_id").asLong());
                    assertThat(gc.get("score").asDouble())
                            .isCloseTo(ec.get("score").asDouble(), within(1e-6));
                }
            }
        }
    }

    @Test
    void greedyGenerateEqualsThePipeline() throws IOException {
        List<String> prompts = List.of("Hello", "a longer prompt", "xyz");
        Path out = dir.resolve("out-clm");
        InferenceSettings s = settings(InferenceTask.GENERATE, "clm", 1, false);
        // one partition and a batch of all prompts: the same left-padded batch as `perceiver generate`
        s = new InferenceSettings(
                s.task(), s.modelDir(), s.inputFields(), 8, 1, 6, 2, "mean", 20, 1, 2, false, Engine.LIBTORCH);
        SparkInference.run(spark, s, jsonl("prompts.jsonl", textRows(prompts, "text")), out, 1, false);
        Map<String, JsonNode> rows = output(out);
        List<GeneratedText> expected;
        try (NDManager m = NDManager.newBaseManager();
                TextModelFolder<CausalLanguageModel> f =
                        TextModelFolder.load(dir.resolve("clm"), m, "t", TextModelKinds.CAUSAL_LANGUAGE_MODEL)) {
            TextGenerationPipeline p = new TextGenerationPipeline(f.model(), f.tokenizer());
            expected = p.generate(prompts, p.defaults(6).withNumLatents(2).withGreedy());
        }
        for (int i = 0; i < prompts.size(); i++) {
            JsonNode row = rows.get("t" + i);
            assertThat(row.get("prompt").asText()).isEqualTo(prompts.get(i));
            assertThat(row.get("full_text").asText()).isEqualTo(expected.get(i).fullText());
            assertThat(row.get("generated_text").asText())
                    .isEqualTo(expected.get(i).generatedText());
            List<Long> tokens = new ArrayList<>();
            row.get("tokens").forEach(t -> tokens.add(t.asLong()));
            assertThat(tokens)
                    .containsExactly(java.util.Arrays.stream(expected.get(i).tokens())
                            .boxed()
                            .toArray(Long[]::new));
            assertThat(row.get("strategy").asText()).isEqualTo("greedy");
        }
    }

    @Test
    void classifyImageFolderEqualsThePipelineRowForRow() throws IOException {
        Path images = dir.resolve("images");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(TinyModels.image(images, "img" + i + ".png", 6, 5, i));
        }
        Path out = dir.resolve("out-img");
        SparkInference.run(spark, settings(InferenceTask.CLASSIFY_IMAGE, "img-clf", 2, false), images, out, 2, false);
        Map<String, JsonNode> rows = output(out);
        List<List<LabelScore>> expected;
        try (ImageClassificationPipeline p = ImageClassificationPipeline.load(dir.resolve("img-clf"), 16)) {
            expected = p.classifyFiles(files, 2);
        }
        assertThat(rows).hasSize(5);
        for (int i = 0; i < files.size(); i++) {
            JsonNode row = rows.get("img" + i + ".png");
            assertThat(row.get("image").asText())
                    .isEqualTo(files.get(i).toAbsolutePath().toString());
            assertLabels(row.get("labels"), expected.get(i));
        }
    }

    @Test
    void embedReadsATextFileAndEqualsTheEncodersLatentsPerText() throws IOException {
        List<String> texts = List.of("short", "a somewhat longer text", "mid size");
        Path input = dir.resolve("texts.txt");
        Files.write(input, texts);
        Path out = dir.resolve("out-embed");
        SparkInference.run(spark, settings(InferenceTask.EMBED, "mlm", 1, false), input, out, 1, false);
        Map<String, JsonNode> rows = output(out);
        try (NDManager m = NDManager.newBaseManager();
                TextModelFolder<MaskedLanguageModel> f =
                        TextModelFolder.load(dir.resolve("mlm"), m, "t", TextModelKinds.MASKED_LANGUAGE_MODEL)) {
            for (int i = 0; i < texts.size(); i++) {
                long[] ids = f.tokenizer().encode(texts.get(i), true);
                float[] expected;
                try (NDManager step = NDManager.newBaseManager()) {
                    expected = f.model()
                            .encoder()
                            .forward(Tensors.owned(step, ids, new Shape(1, ids.length)), null)
                            .mean(new int[] {1})
                            .toFloatArray();
                }
                JsonNode row = rows.get(Integer.toString(i)); // a text file's ids are the line indices
                assertThat(row.get("text").asText()).isEqualTo(texts.get(i));
                assertThat(row.get("shape").toString()).isEqualTo("[16]");
                for (int d = 0; d < expected.length; d++) {
                    assertThat(row.get("latents").get(d).floatValue()).isCloseTo(expected[d], within(1e-5f));
                }
            }
        }
    }

    @Test
    void badRowsBecomeErrorRowsAndNoRowIsLost() throws IOException {
        List<String> lines = new ArrayList<>(textRows(List.of("fine", "also fine"), "text"));
        lines.add("{\"id\": \"long\", \"text\": \"" + "z".repeat(40) + "\"}");
        lines.add("{\"id\": \"none\"}");
        Path out = dir.resolve("out-bad");
        SparkInference.Summary s = SparkInference.run(
                spark,
                settings(InferenceTask.CLASSIFY_TEXT, "clf", 1, false),
                jsonl("bad.jsonl", lines),
                out,
                2,
                false);
        Map<String, JsonNode> rows = output(out);
        assertThat(rows.keySet()).containsExactlyInAnyOrder("t0", "t1", "long", "none");
        assertThat(s.errors()).isEqualTo(2);
        assertThat(rows.get("long").get("error").asText()).contains("42 tokens", "max_seq_len (32)");
        assertThat(rows.get("long").get("text").asText()).hasSize(40);
        assertThat(rows.get("none").get("error").asText()).contains("'text' is missing");
        assertThat(rows.get("t0").get("labels")).hasSize(1);
        assertThat(rows.get("t1").has("error")).isFalse();
    }

    @Test
    void failFastFailsTheJobNamingTheRow() throws IOException {
        List<String> lines = new ArrayList<>(textRows(List.of("fine"), "text"));
        lines.add("{\"id\": \"too-long\", \"text\": \"" + "z".repeat(40) + "\"}");
        Path input = jsonl("failfast.jsonl", lines);
        assertThatThrownBy(() -> SparkInference.run(
                        spark,
                        settings(InferenceTask.CLASSIFY_TEXT, "clf", 1, true),
                        input,
                        dir.resolve("out-failfast"),
                        1,
                        false))
                .hasStackTraceContaining("row id=too-long: text 0 has 42 tokens");
    }
}
