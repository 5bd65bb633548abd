package dev.perceiver.train.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistSubsetTest {
    @Test
    void embeddedSubsetLoads() throws IOException {
        DataSplit<IdxDataset> data = FashionMnistSubset.load();
        check(data.train(), 10000, 900);
        check(data.valid(), 2000, 180);
        assertThat(FashionMnistSubset.CLASS_NAMES).hasSize(10);
    }

    private static void check(IdxDataset ds, int size, int minPerClass) {
        assertThat(ds.size()).isEqualTo(size);
        assertThat(ds.imageShape()).containsExactly(28, 28, 1);
        int[] counts = new int[10];
        for (int i = 0; i < ds.size(); i++) {
            assertThat(ds.label(i)).isBetween(0, 9);
            counts[ds.label(i)]++;
        }
        assertThat(Arrays.stream(counts).min().getAsInt()).isGreaterThanOrEqualTo(minPerClass);
        float[] img = ds.image(0);
        assertThat(img).hasSize(784);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : img) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isGreaterThanOrEqualTo(-1f);
        assertThat(max).isLessThanOrEqualTo(1f).isGreaterThan(min);
    }

    @Test
    void toolWritesHeadOfEachSplit(@TempDir Path dir) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        IdxWriter.writeImages(src.resolve("train-images-idx3-ubyte.gz"), IdxFilesTest.sampleImages(6, 28, 28), true);
        IdxWriter.writeLabels(src.resolve("train-labels-idx1-ubyte.gz"), new int[] {0, 1, 2, 3, 4, 5}, true);
        IdxWriter.writeImages(src.resolve("t10k-images-idx3-ubyte.gz"), IdxFilesTest.sampleImages(3, 28, 28), true);
        IdxWriter.writeLabels(src.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {9, 8, 7}, true);
        Path out = dir.resolve("out");
        FashionMnistSubsetTool.write(src, out, 4, 2);
        IdxDataset train = IdxDataset.loadDirectory(out, true);
        IdxDataset test = IdxDataset.loadDirectory(out, false);
        assertThat(train.size()).isEqualTo(4);
        assertThat(train.label(3)).isEqualTo(3);
        assertThat(train.image(2))
                .containsExactly(IdxDataset.loadDirectory(src, true).image(2));
        assertThat(test.size()).isEqualTo(2);
        assertThat(test.label(1)).isEqualTo(8);
    }
}
