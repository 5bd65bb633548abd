package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowRendererTest {
    @TempDir
    Path dir;

    @Test
    void equalsTheReferenceRenderingWithOpenCv() throws IOException {
        FlowField flow = FlowFiles.read(FlowFilesTest.fixture(dir, "flow_21x45.flo"));
        BufferedImage expected = ImagesTest.fixture("flow_21x45.png");
        BufferedImage actual = FlowRenderer.render(flow, FlowRenderer.REFERENCE_MAX_MAGNITUDE);
        assertThat(actual.getWidth()).isEqualTo(45);
        assertThat(actual.getHeight()).isEqualTo(21);
        assertThat(Images.rgb(actual)).isEqualTo(Images.rgb(expected));
    }

    @Test
    void directionsFollowTheColourWheel() {
        // right: red; down (v > 0): hue 45 of 180, (127, 255, 0) in OpenCV's float32 arithmetic; zero: white
        FlowField f = new FlowField(1, 3, new float[] {24, 0, 0, 24, 0, 0});
        BufferedImage image = FlowRenderer.render(f, 24);
        assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo(0xff0000);
        assertThat(image.getRGB(1, 0) & 0xffffff).isEqualTo(0x7fff00);
        assertThat(image.getRGB(2, 0) & 0xffffff).isEqualTo(0xffffff);
    }

    @Test
    void normalisedRenderingOfANonConstantFlowIsNotUniform() throws IOException {
        int h = 12;
        int w = 20;
        float[] d = new float[h * w * 2];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // small vortex: magnitudes far below the reference's 24 pixels
                d[(y * w + x) * 2] = (y - h / 2f) * 0.01f;
                d[(y * w + x) * 2 + 1] = -(x - w / 2f) * 0.01f;
            }
        }
        FlowField flow = new FlowField(h, w, d);
        Path png = dir.resolve("flow.png");
        FlowRenderer.writePng(FlowRenderer.render(flow), png);
        BufferedImage read = ImageIO.read(png.toFile());
        assertThat(read.getWidth()).isEqualTo(w);
        assertThat(read.getHeight()).isEqualTo(h);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                colours.add(read.getRGB(x, y));
            }
        }
        assertThat(colours.size()).isGreaterThan(50);
        // the largest magnitude is drawn fully saturated: one of R, G, B is 0 there
        int corner = read.getRGB(0, 0);
        assertThat(Math.min(corner >> 16 & 0xff, Math.min(corner >> 8 & 0xff, corner & 0xff)))
                .isZero();
    }

    @Test
    void badScaleIsRejected() {
        FlowField f = new FlowField(1, 1, new float[2]);
        assertThatThrownBy(() -> FlowRenderer.render(f, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_magnitude (0.0)");
    }
}
