package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.tasks.vision.ImageClassifier;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageClassificationPipelineTest {
    private static final String[] LABELS = {"zero", "one", "two", "three"};

    @TempDir
    Path dir;

    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Path grayModel() throws IOException {
        Path model = dir.resolve("gray-model");
        ModelFolder.save(VisionModels.classifier(manager, 6, 5, 1, 4, 1), model, ModelFolder.labelEntries(LABELS));
        return model;
    }

    private static BufferedImage randomImage(int type, int h, int w, long seed) {
        Random r = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    image.getRaster().setSample(x, y, 0, r.nextInt(256));
                } else {
                    image.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
        }
        return image;
    }

    private Path write(BufferedImage image, String name, String format) throws IOException {
        Path file = dir.resolve(name);
        assertThat(ImageIO.write(image, format, file.toFile())).isTrue();
        return file;
    }

    /** Softmax of the model's logits on one (h, w, c) input, run directly. */
    private static double[] direct(ImageClassifier model, float[] input, int h, int w, int c) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = model.forward(m.create(input, new Shape(1, h, w, c)));
            return ImageClassificationPipeline.softmax(logits.toFloatArray());
        }
    }

    private static void assertMatches(List<LabelScore> predictions, double[] expected) {
        double sum = 0;
        for (int i = 0; i < predictions.size(); i++) {
            LabelScore p = predictions.get(i);
            assertThat(p.label()).isEqualTo(LABELS[p.index()]);
            assertThat(p.score()).isCloseTo(expected[p.index()], within(1e-5));
            if (i > 0) {
                assertThat(p.score()).isLessThanOrEqualTo(predictions.get(i - 1).score());
            }
            sum += p.score();
        }
        if (predictions.size() == LABELS.length) {
            assertThat(sum).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void classifiesGrayPngAndRgbJpegLikeTheModelOnDocumentedTensors() throws IOException {
        Path modelDir = grayModel();
        BufferedImage grayImage = randomImage(BufferedImage.TYPE_BYTE_GRAY, 6, 5, 2);
        Path png = write(grayImage, "digit.png", "png");
        Path jpg = write(randomImage(BufferedImage.TYPE_INT_RGB, 6, 5, 3), "photo.jpg", "jpeg");
        try (ImageClassificationPipeline pipeline = ImageClassificationPipeline.load(modelDir);
                NDManager m = NDManager.newBaseManager()) {
            List<List<LabelScore>> results = pipeline.classifyFiles(List.of(png, jpg), 4);
            assertThat(results).hasSize(2);
            ImageClassifier model =
                    (ImageClassifier) ModelFolder.load(modelDir, m).model();

            // PNG: the documented tensor, by hand: (float) (v / 255), then (x - 0.5) / 0.5, channels last
            float[] pngInput = new float[30];
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 5; x++) {
                    int v = grayImage.getRaster().getSample(x, y, 0);
                    pngInput[y * 5 + x] = ((float) (v * (1.0 / 255)) - 0.5f) / 0.5f;
                }
            }
            assertMatches(results.get(0), direct(model, pngInput, 6, 5, 1));

            // JPEG: decoded RGB -> luma -> the same normalisation
            Pixels luma = Images.gray(ImageIO.read(jpg.toFile()));
            float[] jpgInput = new float[30];
            for (int i = 0; i < 30; i++) {
                jpgInput[i] = ((float) (luma.data()[i] * (1.0 / 255)) - 0.5f) / 0.5f;
            }
            assertMatches(results.get(1), direct(model, jpgInput, 6, 5, 1));
        }
    }

    @Test
    void rgbModelCropsResizesAndNormalisesWithDefaults() throws IOException {
        Path modelDir = dir.resolve("rgb-model");
        ModelFolder.save(VisionModels.classifier(manager, 6, 5, 3, 4, 4), modelDir, ModelFolder.labelEntries(LABELS));
        BufferedImage big = randomImage(BufferedImage.TYPE_INT_RGB, 12, 10, 5);
        Path png = write(big, "big.png", "png");
        try (ImageClassificationPipeline pipeline = ImageClassificationPipeline.load(modelDir, 16);
                NDManager m = NDManager.newBaseManager()) {
            assertThat(pipeline.preprocessor().config()).isEqualTo(ImageProcessorConfig.defaults(new int[] {6, 5, 3}));
            ImageClassifier model =
                    (ImageClassifier) ModelFolder.load(modelDir, m).model();
            float[] expected = pipeline.preprocessor().preprocess(Images.rgb(big));
            assertMatches(pipeline.classifyFiles(List.of(png), 3).get(0), direct(model, expected, 6, 5, 3));
            assertThat(pipeline.classifyFiles(List.of(png), 3).get(0)).hasSize(3);
            // also from BufferedImage, and gray images become RGB
            assertMatches(pipeline.classify(List.of(big), 4).get(0), direct(model, expected, 6, 5, 3));
            BufferedImage gray = randomImage(BufferedImage.TYPE_BYTE_GRAY, 12, 10, 6);
            assertThat(pipeline.classify(List.of(gray), 1)).hasSize(1);
        }
    }

    @Test
    void batchesGiveTheSameResultsAsSingleImages() throws IOException {
        Path modelDir = grayModel();
        Path[] files = new Path[5];
        for (int i = 0; i < files.length; i++) {
            files[i] = write(randomImage(BufferedImage.TYPE_BYTE_GRAY, 6, 5, 10 + i), "img" + i + ".png", "png");
        }
        try (ImageClassificationPipeline one = ImageClassificationPipeline.load(modelDir, 1);
                ImageClassificationPipeline three = ImageClassificationPipeline.load(modelDir, 3)) {
            var a = one.classifyFiles(List.of(files), 4);
            var b = three.classifyFiles(List.of(files), 4);
            for (int i = 0; i < files.length; i++) {
                for (int k = 0; k < 4; k++) {
                    assertThat(b.get(i).get(k).index())
                            .isEqualTo(a.get(i).get(k).index());
                    assertThat(b.get(i).get(k).score())
                            .isCloseTo(a.get(i).get(k).score(), within(1e-6));
                }
            }
        }
    }

    @Test
    void labelsAreIndicesWithoutId2label() throws IOException {
        Path modelDir = dir.resolve("unlabelled");
        ModelFolder.save(VisionModels.classifier(manager, 6, 5, 1, 3, 7), modelDir, Map.of());
        Path png = write(randomImage(BufferedImage.TYPE_BYTE_GRAY, 6, 5, 8), "x.png", "png");
        try (ImageClassificationPipeline pipeline = ImageClassificationPipeline.load(modelDir, 4)) {
            assertThat(pipeline.labels()).containsExactly("0", "1", "2");
            for (LabelScore p : pipeline.classifyFiles(List.of(png), 3).get(0)) {
                assertThat(p.label()).isEqualTo(Integer.toString(p.index()));
            }
        }
    }

    @Test
    void badImagesAndArgumentsNameWhatIsWrong() throws IOException {
        Path modelDir = grayModel();
        Path wrongSize = write(randomImage(BufferedImage.TYPE_BYTE_GRAY, 7, 5, 9), "seven-rows.png", "png");
        Path text = dir.resolve("readme.png");
        Files.writeString(text, "hello");
        Path good = write(randomImage(BufferedImage.TYPE_BYTE_GRAY, 6, 5, 9), "good.png", "png");
        try (ImageClassificationPipeline pipeline = ImageClassificationPipeline.load(modelDir, 16)) {
            assertThatThrownBy(() -> pipeline.classifyFiles(List.of(good, wrongSize), 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("seven-rows.png")
                    .hasMessageContaining("7x5")
                    .hasMessageContaining("6x5");
            assertThatThrownBy(() -> pipeline.classifyFiles(List.of(text), 1))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("readme.png");
            assertThatThrownBy(() -> pipeline.classifyFiles(List.of(good), 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("top_k (0)")
                    .hasMessageContaining("[1, 4]");
            assertThatThrownBy(() -> pipeline.classifyFiles(List.of(good), 5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("top_k (5)");
        }
    }

    @Test
    void otherModelTypesAreRejected() throws IOException {
        Path flowDir = dir.resolve("flow");
        ModelFolder.save(VisionModels.flow(manager, 4, 5, 1), flowDir, Map.of());
        assertThatThrownBy(() -> ImageClassificationPipeline.load(flowDir, 1))
                .isInstanceOf(WrongModelKindException.class)
                .hasMessage("model folder " + flowDir + " holds an optical-flow model (model_type "
                        + "perceiver-io-optical-flow); an image-classification model (model_type "
                        + "perceiver-io-image-classifier) is needed");
    }

    @Test
    void repeatedCallsLeaveNoArraysBehind() throws IOException {
        ImageClassifier model = VisionModels.classifier(manager, 6, 5, 1, 4, 1);
        ImageClassificationPipeline pipeline = new ImageClassificationPipeline(
                model,
                LABELS,
                new ImagePreprocessor(ImageProcessorConfig.defaults(new int[] {6, 5, 1}), new int[] {6, 5, 1}),
                2);
        BufferedImage image = randomImage(BufferedImage.TYPE_BYTE_GRAY, 6, 5, 2);
        pipeline.classify(List.of(image, image, image), 2);
        int before = manager.getManagedArrays().size();
        for (int i = 0; i < 5; i++) {
            pipeline.classify(List.of(image, image, image), 2);
        }
        assertThat(manager.getManagedArrays()).hasSize(before);
    }
}
