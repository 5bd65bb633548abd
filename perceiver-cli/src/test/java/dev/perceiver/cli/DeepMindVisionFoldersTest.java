package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.vision.ImageClassifier;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code perceiver classify-image} on the DeepMind (Hugging Face transformers layout) vision folders with a
 * {@code preprocessor_config.json} as DeepMind publishes it: the scores equal the softmax of the model on pixels
 * prepared here by PerceiverImageProcessor's definition. The images are sized so that the center crop (size /
 * crop_size of the shorter side, offsets rounded down) already has the model's size and no resampling happens, so
 * the expected input is exact: the cropped 8-bit pixels, times 1/255, minus the ImageNet mean, over its std, in
 * float32.
 */
class DeepMindVisionFoldersTest {
    private static final Path FIXTURES =
            Path.of("..", "perceiver-train", "src", "test", "resources").resolve("fixtures-huggingface");
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    @ParameterizedTest
    @CsvSource({
        // folder, crop_size, size, image height, image width
        "vision_fourier, 256, 224, 256, 300",
        "vision_conv, 256, 224, 256, 300",
        "vision_learned, 9, 8, 9, 11"
    })
    void classifyImageUsesThePublishedProcessorConfig(
            String name, int cropSize, int size, int height, int width, @TempDir Path tmp) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(FIXTURES.resolve(name))) {
            for (Path p : files.toList()) {
                Files.copy(p, folder.resolve(p.getFileName()));
            }
        }
        // the file of deepmind/vision-perceiver-*, with this case's sizes
        Files.writeString(folder.resolve("preprocessor_config.json"), """
                {"crop_size": %d, "do_center_crop": true, "do_normalize": true, "do_resize": true,
                 "feature_extractor_type": "PerceiverFeatureExtractor", "image_mean": [0.485, 0.456, 0.406],
                 "image_std": [0.229, 0.224, 0.225], "resample": 3, "size": %d}
                """.formatted(cropSize, size));
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 7 + y * 3) % 256;
                int g = (x * x + 5 * y) % 256;
                int b = (int) (127.5 + 127.5 * Math.sin(0.1 * x * y));
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        Path png = tmp.resolve("image.png");
        ImageIO.write(image, "png", png.toFile());

        TrainCommandTest.Run r = TrainCommandTest.run(
                "classify-image", "--model", folder.toString(), "--json", "--top-k", "3", png.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode line = ConfigJson.parse(r.out().strip());
        List<JsonNode> labels = new java.util.ArrayList<>();
        line.get("labels").forEach(labels::add);
        assertThat(labels).hasSize(3);

        // PerceiverImageProcessor by its definition: crop (size / crop_size) * min(h, w) at ((h - c) // 2, (w - c) //
        // 2)
        int crop = (int) ((double) size / cropSize * Math.min(height, width));
        assertThat(crop).isEqualTo(size);
        int top = (height - crop) / 2;
        int left = (width - crop) / 2;
        float[] pixels = new float[size * size * 3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = image.getRGB(left + x, top + y);
                int[] v = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int c = 0; c < 3; c++) {
                    float scaled = (float) (v[c] * (1.0 / 255));
                    pixels[(y * size + x) * 3 + c] = (scaled - MEAN[c]) / STD[c];
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ModelFolder.Loaded loaded = ModelFolder.load(folder, m);
            ImageClassifier model = (ImageClassifier) loaded.model();
            float[] logits = model.forward(Tensors.owned(m, pixels, new Shape(1, size, size, 3)))
                    .toFloatArray();
            double[] p = ImageClassificationPipeline.softmax(logits);
            String[] names = loaded.labels();
            double best = 2;
            for (JsonNode l : labels) {
                int i = l.get("index").asInt();
                assertThat(l.get("label").asText()).isEqualTo(names[i]);
                assertThat(l.get("score").asDouble()).isCloseTo(p[i], within(1e-5));
                assertThat(p[i]).isLessThanOrEqualTo(best);
                best = p[i];
            }
        }
    }
}
