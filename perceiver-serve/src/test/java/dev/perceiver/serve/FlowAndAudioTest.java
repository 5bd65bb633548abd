package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.audio.MidiEventCodec;
import dev.perceiver.inference.audio.MidiFiles;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.vision.FlowField;
import dev.perceiver.inference.vision.OpticalFlowPipeline;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.tasks.audio.SymbolicAudioModel;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
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
        flowDir = root.resolve("flow");
        Path audioDir = root.resolve("sam");
        try (NDManager m = NDManager.newBaseManager()) {
            String json = """
                    {"num_latents": 4, "num_latent_channels": 16,
                     "encoder": {"image_shape": [8, 10], "num_patch_input_channels": 27,
                                 "num_patch_hidden_channels": 8, "num_frequency_bands": 2,
                                 "num_cross_attention_heads": 1, "num_self_attention_heads": 2,
                                 "num_self_attention_layers_per_block": 1},
                     "decoder": {"image_shape": [8, 10], "rescale_factor": 1.0, "num_cross_attention_heads": 1}}
                    """;
            ModelFolder.save(
                    VisionModelKinds.OPTICAL_FLOW.createFromJson(m, ConfigJson.parse(json)), flowDir, Map.of());
            ModelFolder.save(
                    new SymbolicAudioModel(
                            m,
                            PerceiverARConfig.builder()
                                    .numHeads(4)
                                    .numSelfAttentionLayers(1)
                                    .vocabSize(MidiEventCodec.VOCAB_SIZE)
                                    .maxSeqLen(64)
                                    .maxLatents(16)
                                    .numChannels(32)
                                    .outputNorm(true)
                                    .outputBias(false)
                                    .absPosEmb(false)
                                    .build()),
                    audioDir,
                    Map.of());
        }
        Map<String, Path> folders = new LinkedHashMap<>();
        folders.put("flow", flowDir);
        folders.put("sam", audioDir);
        server = PerceiverServer.start(folders, ServeOptions.defaults().withPort(0));
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] frame(int shift) throws Exception {
        BufferedImage image = new BufferedImage(10, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 10; x++) {
                int v = ((x + shift) * 29 + y * 53) % 256;
                image.setRGB(x, y, (v << 16) | ((255 - v) << 8) | (v / 2));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void flowAnswersStatisticsPngAndRawFlowEqualToThePipeline() throws Exception {
        byte[] f1 = frame(0);
        byte[] f2 = frame(1);
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

    private static byte[] midi() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 480);
        Track track = seq.createTrack();
        for (int i = 0; i < 6; i++) {
            long on = 96 + i * 240L;
            track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 60 + i, 80), on));
            track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, 60 + i, 0), on + 192));
        }
        Path file = root.resolve("prompt.mid");
        MidiFiles.write(seq, file);
        return Files.readAllBytes(file);
    }

    @Test
    void audioContinuesAMidiPromptReproduciblyWithASeed() throws Exception {
        String body = "{\"inputs\": \"" + Base64.getEncoder().encodeToString(midi())
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
