package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.inference.vision.FlowField;
import dev.perceiver.inference.vision.FlowFiles;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisionCommandsTest {
    @TempDir
    Path dir;

    NDManager manager;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void close() {
        System.setOut(oldOut);
        System.setErr(oldErr);
        manager.close();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return Main.execute(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path model(ModelKind<?, ?> kind, String config, Map<String, JsonNode> extra, String name)
            throws IOException {
        Module m = kind.createFromJson(manager, ConfigJson.parse(config));
        Random r = new Random(1);
        for (Parameter p : m.trainableParameters()) {
            float[] v = new float[(int) p.shape().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * 0.3);
            }
            try (NDManager tmp = NDManager.newBaseManager()) {
                p.load(tmp.create(v, p.shape()));
            }
        }
        Path folder = dir.resolve(name);
        ModelFolder.save(m, folder, extra);
        return folder;
    }

    private Path classifier() throws IOException {
        return model(
                VisionModelKinds.IMAGE_CLASSIFIER,
                """
                {"num_latents": 4, "num_latent_channels": 16,
                 "encoder": {"image_shape": [6, 5, 1], "num_frequency_bands": 2, "num_cross_attention_heads": 1,
                             "num_self_attention_heads": 2, "num_self_attention_layers_per_block": 1},
                 "decoder": {"num_classes": 3, "num_output_query_channels": 8, "num_cross_attention_heads": 1}}
                """,
                ModelFolder.labelEntries(new String[] {"cat", "dog", "bird"}),
                "classifier");
    }

    private Path flowModel() throws IOException {
        return model(VisionModelKinds.OPTICAL_FLOW, """
                {"num_latents": 4, "num_latent_channels": 16,
                 "encoder": {"image_shape": [8, 10], "num_patch_input_channels": 27, "num_patch_hidden_channels": 8,
                             "num_frequency_bands": 2, "num_cross_attention_heads": 1, "num_self_attention_heads": 2,
                             "num_self_attention_layers_per_block": 1},
                 "decoder": {"image_shape": [8, 10], "rescale_factor": 1.0, "num_cross_attention_heads": 1}}
                """, Map.of(), "flow");
    }

    private Path image(int h, int w, int type, long seed, String name) throws IOException {
        Random r = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(image, name.endsWith(".png") ? "png" : "jpeg", file.toFile());
        return file;
    }

    @Test
    void classifyImagePrintsTopKAsTextAndJson() throws IOException {
        Path model = classifier();
        Path png = image(6, 5, BufferedImage.TYPE_BYTE_GRAY, 1, "a.png");
        Path jpg = image(6, 5, BufferedImage.TYPE_INT_RGB, 2, "b.jpg");
        assertThat(run("classify-image", "--model", model.toString(), "--top-k", "2", png.toString(), jpg.toString()))
                .isEqualTo(0);
        String[] lines = stdout().split("\n");
        assertThat(lines).hasSize(6);
        assertThat(lines[0]).isEqualTo(png.toString());
        assertThat(lines[1]).matches("  0\\.\\d{4}  (cat|dog|bird)");
        assertThat(lines[3]).isEqualTo(jpg.toString());

        // default top-k 5 is capped at the 3 classes; JSON lines list all with probabilities summing to 1
        assertThat(run("classify-image", "--model", model.toString(), "--json", png.toString(), jpg.toString()))
                .isEqualTo(0);
        String[] jsonLines = stdout().split("\n");
        assertThat(jsonLines).hasSize(2);
        JsonNode json = ConfigJson.MAPPER.readTree(jsonLines[0]);
        JsonNode predictions = json.get("labels");
        assertThat(json.get("image").asText()).isEqualTo(png.toString());
        assertThat(ConfigJson.MAPPER.readTree(jsonLines[1]).get("image").asText())
                .isEqualTo(jpg.toString());
        assertThat(predictions).hasSize(3);
        double sum = 0;
        for (JsonNode p : predictions) {
            sum += p.get("score").asDouble();
            assertThat(p.get("label").asText())
                    .isEqualTo(
                            new String[] {"cat", "dog", "bird"}[p.get("index").asInt()]);
        }
        assertThat(sum).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void classifyImageErrorsAreOneLineWithExitCode2() throws IOException {
        Path model = classifier();
        Path big = image(7, 5, BufferedImage.TYPE_BYTE_GRAY, 1, "big.png");
        assertThat(run("classify-image", "--model", model.toString(), big.toString()))
                .isEqualTo(2);
        assertThat(stderr().strip())
                .startsWith("error: ")
                .contains("big.png")
                .contains("7x5")
                .doesNotContain("\n");
        assertThat(run("classify-image", "--model", dir.resolve("nope").toString(), big.toString()))
                .isEqualTo(2);
        assertThat(stderr().strip()).contains("nope").doesNotContain("\n");
        assertThat(run("classify-image", "--model", model.toString(), "--top-k", "0", big.toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("--top-k (0)");
    }

    @Test
    void oneBadImageIsReportedAndTheOthersAreClassifiedAlsoFromAnArgumentFile() throws IOException {
        Path model = classifier();
        Path good = image(6, 5, BufferedImage.TYPE_BYTE_GRAY, 1, "good.png");
        Path big = image(7, 5, BufferedImage.TYPE_BYTE_GRAY, 1, "big.png");
        Path broken = Files.writeString(dir.resolve("broken.jpg"), "not a jpeg");
        Path list = Files.writeString(dir.resolve("images.txt"), broken + "\n" + good + "\n" + big + "\n");
        assertThat(run("classify-image", "--model", model.toString(), "--top-k", "1", "@" + list))
                .isEqualTo(2);
        assertThat(stdout().split("\n")).hasSize(2).startsWith(good.toString());
        assertThat(stderr().strip().split("\n"))
                .hasSize(2)
                .allMatch(l -> l.startsWith("error: "))
                .anyMatch(l -> l.contains("broken.jpg"))
                .anyMatch(l -> l.contains("big.png") && l.contains("7x5"));
        assertThat(run("classify-image", "--model", model.toString(), "--json", broken.toString(), good.toString()))
                .isEqualTo(2);
        String[] json = stdout().split("\n");
        assertThat(ConfigJson.MAPPER.readTree(json[0]).get("error").asText()).contains("broken.jpg");
        assertThat(ConfigJson.MAPPER.readTree(json[1]).get("labels")).hasSize(3);
    }

    @Test
    void flowRefusesAnOutputThatIsAnInputOrADirectory() throws IOException {
        Path model = flowModel();
        Path frame = image(6, 5, BufferedImage.TYPE_INT_RGB, 1, "frame.png");
        byte[] before = Files.readAllBytes(frame);
        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        frame.toString(),
                        frame.toString(),
                        frame.toString()))
                .isEqualTo(2);
        assertThat(stderr().strip())
                .isEqualTo("error: --output-png (" + frame + ") is the same file as FRAME1; writing it would "
                        + "overwrite the input");
        assertThat(Files.readAllBytes(frame)).isEqualTo(before);
        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        dir.toString(),
                        frame.toString(),
                        frame.toString()))
                .isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("error: --output-png (" + dir + ") is a directory; give a file path");
    }

    @Test
    void flowWritesPngAndFloAndPrintsStats() throws IOException {
        Path model = flowModel();
        Path f1 = image(13, 17, BufferedImage.TYPE_INT_RGB, 3, "f1.png");
        Path f2 = image(13, 17, BufferedImage.TYPE_INT_RGB, 4, "f2.png");
        Path png = dir.resolve("out/flow.png");
        Path flo = dir.resolve("out/flow.flo");
        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        png.toString(),
                        "--output-flo",
                        flo.toString(),
                        "--min-overlap",
                        "2",
                        "--normalize",
                        "--json",
                        f1.toString(),
                        f2.toString()))
                .as(stderr())
                .isEqualTo(0);
        assertThat(stdout().strip()).doesNotContain("\n");
        JsonNode json = ConfigJson.MAPPER.readTree(stdout());
        assertThat(json.get("shape").toString()).isEqualTo("[13,17,2]");
        assertThat(json.get("tiles").asInt()).isEqualTo(4);
        assertThat(json.get("output_png").asText()).isEqualTo(png.toString());
        assertThat(json.get("output_flo").asText()).isEqualTo(flo.toString());
        FlowField flow = FlowFiles.read(flo);
        assertThat(flow.height()).isEqualTo(13);
        assertThat(flow.width()).isEqualTo(17);
        assertThat(json.get("magnitude").get("max").asDouble())
                .isCloseTo(flow.stats().magnitudeMax(), within(1e-9));
        BufferedImage rendered = ImageIO.read(png.toFile());
        assertThat(rendered.getWidth()).isEqualTo(17);
        assertThat(rendered.getHeight()).isEqualTo(13);

        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        png.toString(),
                        "--min-overlap",
                        "2",
                        f1.toString(),
                        f2.toString()))
                .isEqualTo(0);
        assertThat(stdout())
                .startsWith("flow 13x17 (height x width)")
                .contains("4 tiles of 8x10")
                .contains("magnitude: mean")
                .contains("wrote " + png);

        // the default engine (ONNX Runtime here) and libtorch give the same flow
        Path libtorchFlo = dir.resolve("out/libtorch.flo");
        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        png.toString(),
                        "--output-flo",
                        libtorchFlo.toString(),
                        "--min-overlap",
                        "2",
                        "--engine",
                        "libtorch",
                        f1.toString(),
                        f2.toString()))
                .as(stderr())
                .isEqualTo(0);
        float[] expected = FlowFiles.read(libtorchFlo).data();
        for (int i = 0; i < expected.length; i++) {
            assertThat(flow.data()[i]).isCloseTo(expected[i], within(1e-4f * Math.max(1f, Math.abs(expected[i]))));
        }
    }

    @Test
    void flowErrorsAreOneLineWithExitCode2() throws IOException {
        Path model = flowModel();
        Path f1 = image(13, 17, BufferedImage.TYPE_INT_RGB, 3, "f1.png");
        Path other = image(12, 17, BufferedImage.TYPE_INT_RGB, 4, "other.png");
        Path png = dir.resolve("flow.png");
        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        png.toString(),
                        "--min-overlap",
                        "2",
                        f1.toString(),
                        other.toString()))
                .isEqualTo(2);
        assertThat(stderr().strip())
                .startsWith("error: ")
                .contains("other.png")
                .contains("12x17")
                .doesNotContain("\n");
        assertThat(Files.exists(png)).isFalse();
        // the default overlap of 20 is too large for this small model
        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        png.toString(),
                        f1.toString(),
                        f1.toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("min_overlap (20)");
        assertThat(run(
                        "flow",
                        "--model",
                        classifier().toString(),
                        "--output-png",
                        png.toString(),
                        f1.toString(),
                        f1.toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("perceiver-io-image-classifier");
        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        png.toString(),
                        "--normalize",
                        "--max-magnitude",
                        "3",
                        f1.toString(),
                        f1.toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("--normalize");
        assertThat(run(
                        "flow",
                        "--model",
                        model.toString(),
                        "--output-png",
                        png.toString(),
                        "--min-overlap",
                        "2",
                        "--engine",
                        "tpu",
                        f1.toString(),
                        f1.toString()))
                .isEqualTo(2);
        assertThat(stderr()).contains("--engine (tpu) must be libtorch, onnxruntime, onnxruntime-int8 or auto");
    }

    @Test
    void helpDocumentsEveryOptionWithItsDefault() {
        assertThat(run("classify-image", "--help")).isEqualTo(0);
        assertThat(stdout())
                .contains("--model")
                .contains("--top-k")
                .contains("default: 5")
                .contains("--batch-size")
                .contains("default: 16")
                .contains("--json");
        assertThat(run("flow", "--help")).isEqualTo(0);
        assertThat(stdout())
                .contains("--output-png")
                .contains("--output-flo")
                .contains("--max-magnitude")
                .contains("default: 24")
                .contains("--normalize")
                .contains("--min-overlap")
                .contains("default: 20")
                .contains("--batch-size")
                .contains("default: 1");
        assertThat(run("--help")).isEqualTo(0);
        assertThat(stdout()).contains("classify-image").contains("flow");
    }
}
