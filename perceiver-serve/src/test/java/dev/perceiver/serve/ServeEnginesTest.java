package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.inference.engine.Engine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One served model of each kind on both engines: a server with the default engine (AUTO, ONNX Runtime here) answers
 * as a server on libtorch: the same tokens, labels and texts, numbers within 1e-4 (the tolerance of the ONNX Runtime
 * pipeline tests), and /v1/models names each model's engine.
 */
class ServeEnginesTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path root;

    private static PerceiverServer libtorch;
    private static PerceiverServer auto;
    private static Http onLibtorch;
    private static Http onAuto;

    @BeforeAll
    static void start() throws Exception {
        Map<String, Path> folders = new LinkedHashMap<>(ServeTestModels.save(root));
        folders.putAll(ServeTestModels.saveFlowAndAudio(root));
        libtorch = PerceiverServer.start(
                folders, ServeOptions.defaults().withPort(0).withEngine(Engine.LIBTORCH));
        auto = PerceiverServer.start(folders, ServeOptions.defaults().withPort(0));
        onLibtorch = new Http(libtorch.port());
        onAuto = new Http(auto.port());
    }

    @AfterAll
    static void stop() {
        for (PerceiverServer s : new PerceiverServer[] {libtorch, auto}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void theModelListNamesEachModelsEngine() throws Exception {
        List<String> ids = List.of("clm", "mlm", "clf", "img", "flow", "sam");
        JsonNode lt = onLibtorch.get("/v1/models").json();
        JsonNode ort = onAuto.get("/v1/models").json();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(lt.get(i).get("id").asText()).isEqualTo(ids.get(i));
            assertThat(lt.get(i).get("engine").asText()).isEqualTo("libtorch");
            assertThat(ort.get(i).get("id").asText()).isEqualTo(ids.get(i));
            assertThat(ort.get(i).get("engine").asText()).as(ids.get(i)).isEqualTo("onnxruntime");
            assertThat(ort.get(i).get("parameters")).isEqualTo(lt.get(i).get("parameters"));
        }
    }

    @Test
    void textModelsAnswerAlikeOnBothEngines() throws Exception {
        same("clm", "{\"inputs\": \"We the People\", \"parameters\": {\"max_new_tokens\": 12}}");
        same("clm", "{\"inputs\": \"Hello\", \"parameters\": {\"max_new_tokens\": 6, \"num_latents\": 3}}");
        same(
                "mlm",
                "{\"inputs\": [\"The capital of France is[MASK][MASK].\", \"a[MASK]c\"], \"parameters\": {\"top_k\": 3}}");
        same("clf", "{\"inputs\": [\"A great movie.\", \"Awful.\"], \"parameters\": {\"top_k\": 3}}");
    }

    @Test
    void imageModelsAnswerAlikeOnBothEngines() throws Exception {
        String png = Base64.getEncoder().encodeToString(PerceiverServerTest.png(8));
        same("img", "{\"inputs\": [\"" + png + "\", \"" + png + "\"], \"parameters\": {\"top_k\": 4}}");
        Base64.Encoder b64 = Base64.getEncoder();
        String frames = "{\"inputs\": [\"" + b64.encodeToString(ServeTestModels.frame(0)) + "\", \""
                + b64.encodeToString(ServeTestModels.frame(1)) + "\"]}";
        JsonNode want = answer(onLibtorch, "flow", frames);
        JsonNode got = answer(onAuto, "flow", frames);
        float[] wantRaw = floats(want.get("raw").asText());
        float[] gotRaw = floats(got.get("raw").asText());
        assertThat(gotRaw).hasSameSizeAs(wantRaw);
        for (int i = 0; i < wantRaw.length; i++) {
            assertThat(gotRaw[i]).as("raw[%d]", i).isCloseTo(wantRaw[i], within((float) TOLERANCE));
        }
        // the rendered colours and the raw bytes may differ in the last bits; the statistics within the tolerance
        List<String> mismatches = new ArrayList<>();
        compare("", strip(got, "png", "raw"), strip(want, "png", "raw"), mismatches);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void symbolicAudioAnswersAlikeOnBothEngines() throws Exception {
        String body = "{\"inputs\": \"" + Base64.getEncoder().encodeToString(ServeTestModels.midi(root))
                + "\", \"parameters\": {\"max_new_tokens\": 10, \"greedy\": true, \"seed\": 1, \"wav\": false}}";
        same("sam", body);
    }

    private static void same(String model, String body) throws Exception {
        JsonNode want = answer(onLibtorch, model, body);
        JsonNode got = answer(onAuto, model, body);
        List<String> mismatches = new ArrayList<>();
        compare("", got, want, mismatches);
        assertThat(mismatches).as("%s %s", model, body).isEmpty();
    }

    private static JsonNode answer(Http http, String model, String body) throws Exception {
        Http.Answer a = http.post("/v1/models/" + model, body);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a.json();
    }

    /** Equal structure, texts and booleans; numbers within {@link #TOLERANCE} (relative above 1). */
    private static void compare(String path, JsonNode got, JsonNode want, List<String> mismatches) {
        if (want.isNumber() && got.isNumber()) {
            double w = want.asDouble();
            if (Math.abs(got.asDouble() - w) > TOLERANCE * Math.max(1, Math.abs(w))) {
                mismatches.add(path + ": " + got + " vs " + want);
            }
        } else if (want.isContainerNode() && got.getNodeType() == want.getNodeType() && got.size() == want.size()) {
            if (want.isArray()) {
                for (int i = 0; i < want.size(); i++) {
                    compare(path + "[" + i + "]", got.get(i), want.get(i), mismatches);
                }
            } else {
                for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!got.has(f)) {
                        mismatches.add(path + "." + f + " missing");
                    } else {
                        compare(path + "." + f, got.get(f), want.get(f), mismatches);
                    }
                }
            }
        } else if (!got.equals(want)) {
            mismatches.add(path + ": " + got + " vs " + want);
        }
    }

    private static JsonNode strip(JsonNode node, String... fields) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = node.deepCopy();
        copy.remove(List.of(fields));
        return copy;
    }

    private static float[] floats(String base64) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(out);
        return out;
    }
}
