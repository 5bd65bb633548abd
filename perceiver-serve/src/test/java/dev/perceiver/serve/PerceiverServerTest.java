package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.GeneratedText;
import dev.perceiver.inference.text.TextClassificationPipeline;
import dev.perceiver.inference.text.TextGenerationPipeline;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.text.TextModelKinds;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on tiny random models, over loopback: results equal to the pipelines', batching, limits, bad input. */
class PerceiverServerTest {
    @TempDir
    static Path root;

    private static Map<String, Path> folders;
    private static PerceiverServer server;
    private static Http http;

    private static final List<String> PROMPTS =
            List.of("We the People", "Once upon a time", "The Perceiver", "in order to form", "Hello");

    @BeforeAll
    static void start() throws Exception {
        folders = ServeTestModels.save(root);
        // the answers are compared with the libtorch pipelines' exactly; ServeEnginesTest compares the engines
        server = PerceiverServer.start(
                folders, ServeOptions.defaults().withPort(0).withBatching(8, 20).withEngine(Engine.LIBTORCH));
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Greedy results of the pipeline in-process, one prompt at a time (no batching): the CLI's generate --json. */
    private static Map<String, JsonNode> expectedGenerations(int maxNewTokens) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        try (NDManager m = NDManager.newBaseManager();
                TextModelFolder<CausalLanguageModel> f =
                        TextModelFolder.load(folders.get("clm"), m, "generate", TextModelKinds.CAUSAL_LANGUAGE_MODEL)) {
            TextGenerationPipeline p = new TextGenerationPipeline(f.model(), f.tokenizer());
            for (String prompt : PROMPTS) {
                GeneratedText g = p.generate(
                                List.of(prompt), p.defaults(maxNewTokens).withGreedy())
                        .get(0);
                out.put(prompt, wire(ResultJson.generated(g, null)));
            }
        }
        return out;
    }

    /** A node as a client reads it back (numbers take the smallest type, as in an answer). */
    static JsonNode wire(JsonNode node) throws Exception {
        return ResultJson.MAPPER.readTree(ResultJson.MAPPER.writeValueAsString(node));
    }

    @Test
    void healthAndModels() throws Exception {
        Http.Answer health = http.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");
        JsonNode models = http.get("/v1/models").json();
        assertThat(models).hasSize(4);
        assertThat(models.get(0).get("id").asText()).isEqualTo("clm");
        assertThat(models.get(0).get("task").asText()).isEqualTo("text-generation");
        assertThat(models.get(0).get("model_type").asText()).isEqualTo("perceiver-ar-causal-language-model");
        assertThat(models.get(0).get("parameters").asLong()).isPositive();
        assertThat(models.get(0).get("engine").asText()).isEqualTo("libtorch");
        assertThat(models.get(3).get("task").asText()).isEqualTo("image-classification");
    }

    @Test
    void eightClientsTimesTwentyFiveGreedyGenerationsEqualTheUnbatchedPipeline() throws Exception {
        int maxNewTokens = 24;
        Map<String, JsonNode> expected = expectedGenerations(maxNewTokens);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int client = c;
                futures.add(clients.submit(() -> {
                    List<String> mismatches = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        String prompt = PROMPTS.get((client + i) % PROMPTS.size());
                        ObjectNode body = ResultJson.MAPPER.createObjectNode();
                        body.put("inputs", prompt);
                        body.putObject("parameters").put("max_new_tokens", maxNewTokens);
                        Http.Answer a = http.post("/v1/models/clm", body.toString());
                        if (a.status() != 200 || !a.json().equals(expected.get(prompt))) {
                            mismatches.add(a.status() + " " + a.body());
                        }
                    }
                    return mismatches;
                }));
            }
            for (Future<List<String>> f : futures) {
                assertThat(f.get()).isEmpty();
            }
        } finally {
            clients.shutdown();
        }
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("perceiver_requests_total{model=\"clm\",status=\"200\"}");
        // some batch held more than one request: fewer batches than requests
        assertThat(metricValue(metrics, "perceiver_batch_size_count\\{model=\"clm\"\\}"))
                .isLessThan(metricValue(metrics, "perceiver_requests_total\\{model=\"clm\",status=\"200\"\\}"));
        assertThat(metrics)
                .contains(
                        "perceiver_generated_tokens_total",
                        "perceiver_queue_length",
                        "perceiver_request_duration_seconds_bucket");
    }

    private static double metricValue(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("metric %s in%n%s", name, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void streamedGenerationSendsOneEventPerTokenThenTheResult() throws Exception {
        Map<String, JsonNode> expected = expectedGenerations(16);
        Http.Answer a = http.post(
                "/v1/models/clm",
                "{\"inputs\": \"We the People\", \"parameters\": {\"max_new_tokens\": 16}, \"stream\": true}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).startsWith("text/event-stream");
        List<JsonNode> tokens = new ArrayList<>();
        JsonNode result = null;
        for (String block : a.body().split("\n\n")) {
            String[] lines = block.split("\n");
            JsonNode data = ResultJson.MAPPER.readTree(lines[1].substring("data: ".length()));
            if (lines[0].equals("event: token")) {
                tokens.add(data);
            } else {
                assertThat(lines[0]).isEqualTo("event: result");
                result = data;
            }
        }
        JsonNode want = expected.get("We the People");
        assertThat(result).isEqualTo(want);
        assertThat(tokens).hasSize(want.get("tokens").size());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            assertThat(tokens.get(i).get("token_id").asLong())
                    .isEqualTo(want.get("tokens").get(i).asLong());
            text.append(tokens.get(i).get("text").asText());
        }
        assertThat(text.toString()).isEqualTo(want.get("generated_text").asText());
    }

    @Test
    void sampledGenerationWithASeedIsReproducible() throws Exception {
        String body = "{\"inputs\": \"Hello\", \"parameters\": {\"max_new_tokens\": 12, \"top_p\": 0.9, \"seed\": 7}}";
        JsonNode first = http.post("/v1/models/clm", body).json();
        JsonNode second = http.post("/v1/models/clm", body).json();
        assertThat(first).isEqualTo(second);
        assertThat(first.get("strategy").asText()).isEqualTo("sample");
        assertThat(first.get("seed").asLong()).isEqualTo(7);
    }

    @Test
    void fillMaskAndTextClassificationEqualThePipelines() throws Exception {
        String masked = "The capital of France is[MASK][MASK][MASK][MASK][MASK].";
        JsonNode fill = http.post("/v1/models/mlm", "{\"inputs\": \"" + masked + "\", \"parameters\": {\"top_k\": 3}}")
                .json();
        JsonNode cls = http.post("/v1/models/clf", "{\"inputs\": [\"A great movie.\", \"Awful.\"]}")
                .json();
        try (NDManager m = NDManager.newBaseManager();
                TextModelFolder<MaskedLanguageModel> mlm =
                        TextModelFolder.load(folders.get("mlm"), m, "fill-mask", TextModelKinds.MASKED_LANGUAGE_MODEL);
                TextModelFolder<TextClassifier> clf =
                        TextModelFolder.load(folders.get("clf"), m, "classify-text", TextModelKinds.TEXT_CLASSIFIER)) {
            assertThat(fill)
                    .isEqualTo(wire(ResultJson.fillMask(new FillMaskPipeline(mlm.model(), mlm.tokenizer(), 8)
                            .fill(List.of(masked), 3)
                            .get(0))));
            List<List<LabelScore>> want = new TextClassificationPipeline(clf.model(), clf.tokenizer(), clf.labels(), 8)
                    .classify(List.of("A great movie.", "Awful."), 3);
            assertThat(cls.get(0)).isEqualTo(wire(ResultJson.labels("text", "A great movie.", want.get(0))));
            assertThat(cls.get(1)).isEqualTo(wire(ResultJson.labels("text", "Awful.", want.get(1))));
        }
    }

    static byte[] png(int size) throws Exception {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.getRaster().setSample(x, y, 0, (x * 37 + y * 11) % 256);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void imageClassificationByBase64AndByUploadEqualsThePipeline() throws Exception {
        byte[] png = png(8);
        JsonNode b64 = http.post(
                        "/v1/models/img",
                        "{\"inputs\": \"" + Base64.getEncoder().encodeToString(png)
                                + "\", \"parameters\": {\"top_k\": 4}}")
                .json();
        Http.Answer upload = http.upload("/v1/models/img", "inputs", "digit.png", png);
        assertThat(upload.status()).isEqualTo(200);
        try (ImageClassificationPipeline p = ImageClassificationPipeline.load(folders.get("img"), 8)) {
            List<LabelScore> want = p.classify(List.of(ImageIO.read(new java.io.ByteArrayInputStream(png))), 4)
                    .get(0);
            assertThat(b64.get("labels"))
                    .isEqualTo(wire(ResultJson.labels("image", "x", want)).get("labels"));
            assertThat(upload.json().get("labels")).isEqualTo(b64.get("labels"));
        }
    }

    @Test
    void badInputIsA4xxJsonErrorNamingTheFieldAndTheServerStaysHealthy() throws Exception {
        assertError(http.post("/v1/models/clm", "{\"inputs\": \"Hi\", \"parameters\": {"), 400, "body");
        byte[] big = new byte[20 << 20];
        java.util.Arrays.fill(big, (byte) 'a');
        assertError(http.post("/v1/models/clm", big, "application/json"), 413, "body");
        assertError(
                http.post("/v1/models/clm", "{\"inputs\": \"Hi\", \"parameters\": {\"max_new_tokens\": 1000000000}}"),
                422,
                "parameters.max_new_tokens");
        assertError(
                http.upload("/v1/models/img", "inputs", "notes.txt", "not an image".getBytes(StandardCharsets.UTF_8)),
                400,
                "inputs");
        byte[] corrupt = java.util.Arrays.copyOf(png(8), 40);
        assertError(http.upload("/v1/models/img", "inputs", "broken.png", corrupt), 400, "inputs");
        assertError(
                http.post("/v1/models/clm", "{\"inputs\": \"Hi\", \"parameters\": {\"top_k\": \"five\"}}"),
                422,
                "parameters.top_k");
        assertError(
                http.post("/v1/models/clm", "{\"inputs\": \"Hi\", \"parameters\": {\"max_tokens\": 5}}"),
                422,
                "parameters.max_tokens");
        assertError(http.post("/v1/models/clm", "{\"inputs\": 42}"), 422, "inputs");
        assertError(http.post("/v1/models/clm", "{\"prompt\": \"Hi\"}"), 422, "prompt");
        assertError(http.post("/v1/models/clm", "[1, 2]"), 422, "body");
        assertError(http.post("/v1/models/clf", "{\"inputs\": \"" + "a".repeat(10_001) + "\"}"), 413, "inputs");
        assertError(http.post("/v1/models/nope", "{\"inputs\": \"Hi\"}"), 404, "id");
        assertError(http.post("/v1/models/mlm", "{\"inputs\": \"no mask here\"}"), 422, "inputs");
        assertError(http.post("/v1/models/clf", "{\"inputs\": \"x\", \"stream\": true}"), 422, "stream");
        Http.Answer health = http.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");
    }

    private static void assertError(Http.Answer a, int status, String field) throws Exception {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.contentType()).startsWith("application/json");
        JsonNode json = a.json();
        assertThat(json.get("error").asText()).isNotBlank();
        assertThat(json.get("field").asText()).as(a.body()).isEqualTo(field);
    }

    @Test
    void openApiDocumentDescribesTheEndpoints() throws Exception {
        JsonNode doc = http.get("/openapi.json").json();
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        assertThat(doc.get("paths").has("/v1/models/{id}")).isTrue();
        assertThat(doc.get("info").get("x-limits").get("max_new_tokens").asInt())
                .isEqualTo(1024);
    }
}
