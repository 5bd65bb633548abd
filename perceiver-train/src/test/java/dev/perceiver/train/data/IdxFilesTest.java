package dev.perceiver.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxFilesTest {
    @TempDir
    Path dir;

    static IdxImages sampleImages(int n, int rows, int cols) {
        byte[] px = new byte[n * rows * cols];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 37 + 11);
        }
        return new IdxImages(n, rows, cols, px);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void roundTrip(boolean gzip) throws IOException {
        IdxImages images = sampleImages(5, 3, 4);
        int[] labels = {0, 9, 3, 3, 255};
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        IdxWriter.writeImages(img, images, gzip);
        IdxWriter.writeLabels(lab, labels, gzip);

        byte[] head = Files.readAllBytes(img);
        if (gzip) {
            assertThat(head[0] & 0xff).isEqualTo(0x1f);
            assertThat(head[1] & 0xff).isEqualTo(0x8b);
        } else {
            assertThat(Arrays.copyOf(head, 4)).containsExactly(0, 0, 8, 3);
            assertThat(head).hasSize(16 + 5 * 3 * 4);
        }
        IdxImages back = IdxImages.read(img);
        assertThat(back.count()).isEqualTo(5);
        assertThat(back.rows()).isEqualTo(3);
        assertThat(back.cols()).isEqualTo(4);
        assertThat(back.pixels()).isEqualTo(images.pixels());
        assertThat(back.pixel(2, 1, 3)).isEqualTo(images.pixels()[2 * 12 + 1 * 4 + 3] & 0xff);
        assertThat(IdxLabels.read(lab)).containsExactly(labels);
    }

    @Test
    void gzipOutputIsDeterministic() throws IOException {
        IdxImages images = sampleImages(4, 2, 2);
        IdxWriter.writeImages(dir.resolve("a"), images, true);
        IdxWriter.writeImages(dir.resolve("b"), images, true);
        assertThat(Files.readAllBytes(dir.resolve("a"))).isEqualTo(Files.readAllBytes(dir.resolve("b")));
    }

    private Path raw(String name, int magic, int[] dims, int bodyBytes, boolean gzip) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(bos) : bos)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            for (int i = 0; i < bodyBytes; i++) {
                out.write(i % 10);
            }
        }
        Path p = dir.resolve(name);
        Files.write(p, bos.toByteArray());
        return p;
    }

    @Test
    void badImageMagic() throws IOException {
        Path p = raw("bad-img", 0x00000801, new int[] {1, 2, 2}, 4, false);
        assertThatThrownBy(() -> IdxImages.read(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("magic");
    }

    @Test
    void badLabelMagic() throws IOException {
        Path p = raw("bad-lab", 0x00000803, new int[] {2}, 2, true);
        assertThatThrownBy(() -> IdxLabels.read(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("magic");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void truncatedPixels(boolean gzip) throws IOException {
        Path p = raw("short-img", 0x00000803, new int[] {3, 2, 2}, 11, gzip);
        assertThatThrownBy(() -> IdxImages.read(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("expected 12 bytes, found 11");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path p = dir.resolve("hdr");
        Files.write(p, new byte[] {0, 0, 8, 3, 0, 0});
        assertThatThrownBy(() -> IdxImages.read(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("truncated header");
    }

    @Test
    void truncatedLabels() throws IOException {
        Path p = raw("short-lab", 0x00000801, new int[] {5}, 3, false);
        assertThatThrownBy(() -> IdxLabels.read(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("expected 5 bytes, found 3");
    }

    @Test
    void cutGzipStream() throws IOException {
        IdxImages images = sampleImages(50, 10, 10);
        Path full = dir.resolve("full.gz");
        IdxWriter.writeImages(full, images, true);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> IdxImages.read(cut))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(cut.toString());
    }

    @Test
    void trailingData() throws IOException {
        Path p = raw("long-lab", 0x00000801, new int[] {3}, 4, false);
        assertThatThrownBy(() -> IdxLabels.read(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("trailing");
    }

    @Test
    void negativeDimension() throws IOException {
        Path p = raw("neg", 0x00000803, new int[] {-1, 2, 2}, 0, false);
        assertThatThrownBy(() -> IdxImages.read(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("invalid image shape");
    }

    @Test
    void labelCountMismatch() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        IdxWriter.writeImages(img, sampleImages(3, 2, 2), false);
        IdxWriter.writeLabels(lab, new int[] {1, 2}, false);
        assertThatThrownBy(() -> IdxDataset.load(img, lab))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(lab.toString())
                .hasMessageContaining("label count 2")
                .hasMessageContaining("image count 3");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        IdxWriter.writeImages(img, sampleImages(3, 2, 2), true);
        IdxWriter.writeLabels(lab, new int[] {1, 10, 2}, true);
        assertThatThrownBy(() -> IdxDataset.load(img, lab))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(lab.toString())
                .hasMessageContaining("label 10 of example 1 out of range");
        assertThat(IdxDataset.load(img, lab, 11).label(1)).isEqualTo(10);
    }

    @Test
    void loadDirectoryStandardNames() throws IOException {
        IdxWriter.writeImages(dir.resolve("train-images-idx3-ubyte.gz"), sampleImages(4, 2, 2), true);
        IdxWriter.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), new int[] {0, 1, 2, 3}, true);
        IdxWriter.writeImages(dir.resolve("t10k-images-idx3-ubyte"), sampleImages(2, 2, 2), false);
        IdxWriter.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), new int[] {7, 8}, false);
        assertThat(IdxDataset.loadDirectory(dir, true).size()).isEqualTo(4);
        IdxDataset test = IdxDataset.loadDirectory(dir, false);
        assertThat(test.size()).isEqualTo(2);
        assertThat(test.label(1)).isEqualTo(8);
    }

    @Test
    void loadDirectoryMissingFile() throws IOException {
        IdxWriter.writeImages(dir.resolve("train-images-idx3-ubyte"), sampleImages(1, 2, 2), false);
        assertThatThrownBy(() -> IdxDataset.loadDirectory(dir, true))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("labels-idx1-ubyte");
    }
}
