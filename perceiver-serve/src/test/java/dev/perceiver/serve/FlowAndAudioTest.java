package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.audio.MidiFiles;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.vision.FlowField;
import dev.perceiver.inference.vision.OpticalFlowPipeline;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optical flow (base64 and multipart frames) and symbolic audio (MIDI in, MIDI out) through the server. */
class FlowAndAudioTest {
    @TempDir
    static Path root;

    private static PerceiverServer server;
    private static Http http;
    private static Path flowDir;

    @BeforeAll
    static void start() throws Exception {
        Map<String, Path> folders = ServeTestModels.saveFlowAndAudio(root);
        flowDir = folders.get("flow");
        // the answers are compared with the libtorch pipeline's exactly; ServeEnginesTest compares the engines
        server = PerceiverServer.start(
                folders, ServeOptions.defaults().withPort(0).withEngine(Engine.LIBTORCH));
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void flowAnswersStatisticsPngAndRawFlowEqualToThePipeline() throws Exception {
        byte[] f1 = ServeTestModels.frame(0);
        byte[] f2 = ServeTestModels.frame(1);
        Base64.Encoder b64 = Base64.getEncoder();
        Http.Answer a = http.post(
                "/v1/models/flow",
                "{\"inputs\": [\"" + b64.encodeToString(f1) + "\", \"" + b64.encodeToString(f2) + "\"]}");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        JsonNode json = a.json();
        assertThat(json.get("shape").toString()).isEqualTo("[8,10,2]");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(json.get("png").asText())));
        assertThat(png.getWidth()).isEqualTo(10);
        assertThat(png.getHeight()).isEqualTo(8);
        float[] raw = new float[8 * 10 * 2];
        ByteBuffer.wrap(Base64.getDecoder().decode(json.get("raw").asText()))
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(raw);
        try (OpticalFlowPipeline p = OpticalFlowPipeline.load(flowDir, 7, 1)) {
            FlowField want =
                    p.flow(ImageIO.read(new ByteArrayInputStream(f1)), ImageIO.read(new ByteArrayInputStream(f2)));
            assertThat(raw).containsExactly(want.data());
            ObjectNode stats = ResultJson.flowStats(want);
            assertThat(json.get("magnitude")).isEqualTo(PerceiverServerTest.wire(stats.get("magnitude")));
        }
        assertThat(http.post("/v1/models/flow", "{\"inputs\": [\"" + b64.encodeToString(f1) + "\"]}")
                        .status())
                .isEqualTo(422);
    }

    @Test
    void audioContinuesAMidiPromptReproduciblyWithASeed() throws Exception {
        String body = "{\"inputs\": \"" + Base64.getEncoder().encodeToString(ServeTestModels.midi(root))
                + "\", \"parameters\": {\"max_new_tokens\": 16, \"seed\": 3, \"wav\": false}}";
        Http.Answer a = http.post("/v1/models/sam", body);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        JsonNode json = a.json();
        assertThat(json.get("generated_tokens").asInt()).isEqualTo(16);
        assertThat(json.get("generated_token_ids")).hasSize(16);
        assertThat(json.get("seed").asLong()).isEqualTo(3);
        assertThat(json.get("wav").isNull()).isTrue();
        Path out = root.resolve("out.mid");
        Files.write(out, Base64.getDecoder().decode(json.get("midi").asText()));
        assertThat(MidiFiles.read(out).getTracks()).isNotEmpty();
        assertThat(http.post("/v1/models/sam", body).json()).isEqualTo(json);
        Http.Answer bad = http.post(
                "/v1/models/sam", "{\"inputs\": \"" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + "\"}");
        assertThat(bad.status()).as(bad.body()).isBetween(400, 499);
        assertThat(http.get("/health").status()).isEqualTo(200);
    }
}
