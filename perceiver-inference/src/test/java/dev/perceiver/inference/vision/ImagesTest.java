package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Image decoding, channel conversion and resizing against files written by Pillow (tools/vision_fixtures.py). */
class ImagesTest {
    @TempDir
    Path dir;

    static BufferedImage fixture(String name) throws IOException {
        try (InputStream in = ImagesTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return ImageIO.read(in);
        }
    }

    @Test
    void lumaEqualsPillowConvertL() throws IOException {
        Pixels rgb = Images.rgb(fixture("pil_input.png"));
        Pixels expected = Images.gray(fixture("pil_gray.png"));
        assertThat(rgb.channels()).isEqualTo(3);
        assertThat(Images.gray(fixture("pil_input.png"))).isEqualTo(expected);
        assertThat(Images.toChannels(rgb, 1)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "bicubic,3,7,5",
        "bicubic,3,24,30",
        "bilinear,2,9,11",
        "lanczos,1,6,20",
        "nearest,0,5,8",
        "box,4,4,6",
        "hamming,5,11,7"
    })
    void resizeEqualsPillow(String name, int id, int h, int w) throws IOException {
        Pixels in = Images.rgb(fixture("pil_input.png"));
        Pixels expected = Images.rgb(fixture("pil_" + name + "_" + h + "x" + w + ".png"));
        assertThat(ImageResizer.resize(in, h, w, Resample.of(id))).isEqualTo(expected);
    }

    @Test
    void resizeOfGrayImageWorksPerChannel() throws IOException {
        Pixels rgb = Images.rgb(fixture("pil_input.png"));
        Pixels gray = Images.toChannels(rgb, 1);
        Pixels replicated = Images.toChannels(gray, 3);
        Pixels a = ImageResizer.resize(replicated, 7, 5, Resample.BICUBIC);
        Pixels b = Images.toChannels(ImageResizer.resize(gray, 7, 5, Resample.BICUBIC), 3);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void graySamplesAreReadWithoutColorConversion() throws IOException {
        BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {10, 128, 250});
        Path file = dir.resolve("gray.png");
        ImageIO.write(gray, "png", file.toFile());
        BufferedImage read = Images.read(file);
        assertThat(Images.gray(read).data()).containsExactly(10, 128, 250);
        assertThat(Images.rgb(read).data()).containsExactly(10, 10, 10, 128, 128, 128, 250, 250, 250);
    }

    @Test
    void sixteenBitGrayIsScaledTo8Bits() {
        BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 257 * 100, 65535});
        assertThat(Images.gray(gray).data()).containsExactly(0, 100, 255);
    }

    @Test
    void alphaIsDropped() {
        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x10203040);
        assertThat(Images.rgb(argb).data()).containsExactly(0x20, 0x30, 0x40);
    }

    @Test
    void missingAndUndecodableFilesNameTheFile() throws IOException {
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> Images.read(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing.png");
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        assertThatThrownBy(() -> Images.read(text))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("notes.png")
                .hasMessageContaining("not a readable image");
    }

    @Test
    void resizeRejectsEmptySizes() {
        Pixels p = new Pixels(1, 1, 1, new int[] {3});
        assertThatThrownBy(() -> ImageResizer.resize(p, 0, 2, Resample.BICUBIC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x2");
        assertThatThrownBy(() -> Resample.of(9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resample (9)");
    }
}
