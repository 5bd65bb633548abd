package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.vision.OpticalFlow;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpticalFlowPipelineTest {
    @TempDir
    Path dir;

    NDManager manager;
    OpticalFlow model;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        model = VisionModels.flow(manager, 8, 10, 11);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Pixels randomFrame(int h, int w, long seed) {
        Random r = new Random(seed);
        int[] d = new int[h * w * 3];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextInt(256);
        }
        return new Pixels(h, w, 3, d);
    }

    private static BufferedImage image(Pixels p) {
        BufferedImage image = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
                image.setRGB(x, y, p.get(y, x, 0) << 16 | p.get(y, x, 1) << 8 | p.get(y, x, 2));
            }
        }
        return image;
    }

    private Path png(Pixels p, String name) throws IOException {
        Path file = dir.resolve(name);
        ImageIO.write(image(p), "png", file.toFile());
        return file;
    }

    @Test
    void frameOfTheModelSizeIsOneTileScaledByTwenty() throws IOException {
        Path modelDir = dir.resolve("model");
        ModelFolder.save(model, modelDir, Map.of());
        Pixels a = randomFrame(8, 10, 1);
        Pixels b = randomFrame(8, 10, 2);
        try (OpticalFlowPipeline pipeline = OpticalFlowPipeline.load(modelDir, 2, 1)) {
            assertThat(pipeline.tiles(8, 10).tiles()).hasSize(1);
            FlowField flow = pipeline.flow(png(a, "a.png"), png(b, "b.png"));
            assertThat(flow.height()).isEqualTo(8);
            assertThat(flow.width()).isEqualTo(10);
            float[] features = new float[2 * 27 * 80];
            FlowFeatures.extract(FlowFeatures.normalize(a), FlowFeatures.normalize(b), 8, 10, 0, 0, 8, 10, features, 0);
            float[] raw = pipeline.forward(features, 1);
            for (int i = 0; i < raw.length; i++) {
                assertThat(flow.data()[i]).isCloseTo(raw[i] * 20f, within(1e-5f));
            }
            assertThat(flow.stats().magnitudeMax()).isGreaterThan(0);
        }
    }

    @Test
    void onnxRuntimeGivesLibtorchsFlowAndAutoChoosesIt() throws IOException {
        Path modelDir = dir.resolve("model");
        ModelFolder.save(model, modelDir, Map.of());
        Pixels a = randomFrame(13, 17, 5);
        Pixels b = randomFrame(13, 17, 6);
        FlowField expected = new OpticalFlowPipeline(model, 2, 1).flow(a, b);
        try (OpticalFlowPipeline ort = new OpticalFlowPipeline(model, 2, 3, Engine.ONNXRUNTIME, 1);
                OpticalFlowPipeline auto = OpticalFlowPipeline.load(modelDir, 2, 2, Engine.AUTO, 1);
                OpticalFlowPipeline libtorch = OpticalFlowPipeline.load(modelDir, 2, 2, Engine.LIBTORCH, 1)) {
            assertThat(ort.engine()).isEqualTo(Engine.ONNXRUNTIME);
            assertThat(auto.engine()).isEqualTo(Engine.ONNXRUNTIME);
            assertThat(libtorch.engine()).isEqualTo(Engine.LIBTORCH);
            // the pipeline loaded on ONNX Runtime freed its libtorch weights; the one over a caller's model did not
            assertThat(auto.model().stateDict().values()).allMatch(Parameter::isReleased);
            assertThat(libtorch.model().stateDict().values()).noneMatch(Parameter::isReleased);
            assertThat(model.stateDict().values()).noneMatch(Parameter::isReleased);
            for (OpticalFlowPipeline p : List.of(ort, auto, libtorch)) {
                float[] actual = p.flow(a, b).data();
                assertThat(actual).hasSameSizeAs(expected.data());
                float scale = 1e-4f * (float) Math.max(1, expected.stats().magnitudeMax());
                for (int i = 0; i < actual.length; i++) {
                    assertThat(actual[i]).isCloseTo(expected.data()[i], within(scale));
                }
            }
        }
    }

    @Test
    void largerFramesAreTiledToTheirFullSize() {
        Pixels a = randomFrame(13, 17, 3);
        Pixels b = randomFrame(13, 17, 4);
        OpticalFlowPipeline pipeline = new OpticalFlowPipeline(model, 2, 4);
        // rows 0, 6, 12 -> 0, 5; columns 0, 8, 16 -> 0, 7
        assertThat(pipeline.tiles(13, 17).tiles()).hasSize(4);
        FlowField flow = pipeline.flow(a, b);
        assertThat(flow.height()).isEqualTo(13);
        assertThat(flow.width()).isEqualTo(17);
        for (float v : flow.data()) {
            assertThat(v).isFinite();
        }
        // pixel (0, 0) lies in the first tile only
        float[] features = new float[2 * 27 * 80];
        FlowFeatures.extract(FlowFeatures.normalize(a), FlowFeatures.normalize(b), 13, 17, 0, 0, 8, 10, features, 0);
        float[] first = pipeline.forward(features, 1);
        assertThat(flow.u(0, 0)).isCloseTo(first[0] * 20f, within(1e-5f));
        assertThat(flow.v(0, 0)).isCloseTo(first[1] * 20f, within(1e-5f));
        // the same with one tile per forward pass
        FlowField single = new OpticalFlowPipeline(model, 2, 1).flow(a, b);
        for (int i = 0; i < flow.data().length; i++) {
            assertThat(single.data()[i]).isCloseTo(flow.data()[i], within(1e-4f));
        }
        // and the rendering has the frame's size and more than one colour
        BufferedImage rendered = FlowRenderer.render(flow);
        assertThat(rendered.getHeight()).isEqualTo(13);
        assertThat(rendered.getWidth()).isEqualTo(17);
        assertThat(rendered.getRGB(0, 0)).isNotEqualTo(rendered.getRGB(16, 12));
    }

    @Test
    void grayFramesAreUsedAsRgb() {
        Pixels rgb = randomFrame(8, 10, 5);
        Pixels gray = Images.toChannels(rgb, 1);
        OpticalFlowPipeline pipeline = new OpticalFlowPipeline(model, 2, 1);
        FlowField fromGray = pipeline.flow(gray, gray);
        FlowField fromReplicated = pipeline.flow(Images.toChannels(gray, 3), Images.toChannels(gray, 3));
        assertThat(fromGray.data()).containsExactly(fromReplicated.data());
        assertThat(pipeline.flow(image(rgb), image(rgb)).data())
                .containsExactly(pipeline.flow(rgb, rgb).data());
    }

    @Test
    void badFramesNameTheFiles() throws IOException {
        OpticalFlowPipeline pipeline = new OpticalFlowPipeline(model, 2, 1);
        Path a = png(randomFrame(9, 12, 1), "first.png");
        Path b = png(randomFrame(9, 11, 2), "second.png");
        assertThatThrownBy(() -> pipeline.flow(a, b))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("first.png")
                .hasMessageContaining("second.png")
                .hasMessageContaining("9x12")
                .hasMessageContaining("9x11");
        Path small = png(randomFrame(7, 12, 3), "small.png");
        assertThatThrownBy(() -> pipeline.flow(small, small))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("small.png")
                .hasMessageContaining("7x12")
                .hasMessageContaining("8x10");
        assertThatThrownBy(() -> pipeline.flow(dir.resolve("missing.png"), a))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("missing.png");
        assertThatThrownBy(() -> new OpticalFlowPipeline(model, 8, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min_overlap (8)");
    }

    @Test
    void otherModelTypesAreRejected() throws IOException {
        Path clf = dir.resolve("clf");
        ModelFolder.save(VisionModels.classifier(manager, 4, 4, 1, 2, 1), clf, Map.of());
        assertThatThrownBy(() -> OpticalFlowPipeline.load(clf, 2, 1))
                .isInstanceOf(WrongModelKindException.class)
                .hasMessage("model folder " + clf + " holds an image-classification model (model_type "
                        + "perceiver-io-image-classifier); an optical-flow model (model_type "
                        + "perceiver-io-optical-flow) is needed");
    }

    @Test
    void repeatedCallsLeaveNoArraysBehind() {
        OpticalFlowPipeline pipeline = new OpticalFlowPipeline(model, 2, 2);
        Pixels a = randomFrame(13, 17, 3);
        pipeline.flow(a, a);
        int before = manager.getManagedArrays().size();
        for (int i = 0; i < 3; i++) {
            pipeline.flow(a, a);
        }
        assertThat(manager.getManagedArrays()).hasSize(before);
    }
}
