package dev.perceiver.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdxDatasetTest {
    private static IdxDataset dataset(int n) throws IOException {
        int rows = 3;
        int cols = 2;
        byte[] px = new byte[n * rows * cols];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < rows * cols; k++) {
                px[i * rows * cols + k] = (byte) ((i + k * 40) % 256);
            }
            labels[i] = i % 10;
        }
        return new IdxDataset(new IdxImages(n, rows, cols, px), labels, 10, "mem");
    }

    @Test
    void normalisationMatchesToTensorThenNormalize() {
        assertThat(ImageNormalization.normalize(0)).isEqualTo(-1f);
        assertThat(ImageNormalization.normalize(255)).isEqualTo(1f, within(1e-6f));
        assertThat(ImageNormalization.normalize(128)).isEqualTo((128 / 255f - 0.5f) / 0.5f, within(1e-7f));
        assertThat(ImageNormalization.normalize((byte) 0xff)).isEqualTo(1f, within(1e-6f));
        assertThat(ImageNormalization.normalize(51)).isEqualTo(-0.6f, within(1e-6f));
    }

    @Test
    void imageIsChannelsLastAndNormalised() throws IOException {
        IdxDataset ds = dataset(7);
        assertThat(ds.imageShape()).containsExactly(3, 2, 1);
        float[] img = ds.image(5);
        assertThat(img).hasSize(6);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 2; c++) {
                int p = ds.images().pixel(5, r, c);
                assertThat(img[(r * 2 + c) * 1]).isEqualTo((p / 255f - 0.5f) / 0.5f, within(1e-6f));
            }
        }
        assertThat(ds.label(5)).isEqualTo(5);
    }

    @Test
    void batchLayout() throws IOException {
        IdxDataset ds = dataset(7);
        IdxDataset.Batch b = ds.batch(new int[] {4, 1});
        assertThat(b.xShape()).containsExactly(2, 3, 2, 1);
        assertThat(b.y()).containsExactly(4L, 1L);
        assertThat(Arrays.copyOfRange(b.x(), 0, 6)).containsExactly(ds.image(4));
        assertThat(Arrays.copyOfRange(b.x(), 6, 12)).containsExactly(ds.image(1));
    }

    private static List<Long> epochLabels(IdxDataset ds, int batchSize, boolean shuffle, long seed, int epoch) {
        List<Long> out = new ArrayList<>();
        for (IdxDataset.Batch b : ds.epoch(batchSize, shuffle, seed, epoch)) {
            for (long y : b.y()) {
                out.add(y);
            }
        }
        return out;
    }

    @Test
    void shufflingIsDeterministicPerSeedAndEpoch() {
        int[] a = EpochOrder.order(1000, true, 42, 3);
        assertThat(EpochOrder.order(1000, true, 42, 3)).containsExactly(a);
        assertThat(EpochOrder.order(1000, true, 42, 4)).isNotEqualTo(a);
        assertThat(EpochOrder.order(1000, true, 43, 3)).isNotEqualTo(a);
        assertThat(a).isNotEqualTo(EpochOrder.order(1000, false, 42, 3));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        assertThat(sorted).containsExactly(EpochOrder.order(1000, false, 0, 0));
    }

    @Test
    void epochBatches() throws IOException {
        IdxDataset ds = dataset(103);
        List<IdxDataset.Batch> batches = new ArrayList<>();
        ds.epoch(10, true, 7, 0).forEach(batches::add);
        assertThat(batches).hasSize(11);
        assertThat(batches.get(10).batchSize()).isEqualTo(3);
        assertThat(batches.get(10).x()).hasSize(3 * 6);
        Set<Float> firstPixels = new HashSet<>();
        for (IdxDataset.Batch b : batches) {
            for (int i = 0; i < b.batchSize(); i++) {
                firstPixels.add(b.x()[i * 6]);
            }
        }
        assertThat(firstPixels).hasSize(103); // pixel (0,0) of image i is i: every example exactly once
        assertThat(epochLabels(ds, 10, true, 7, 0)).isEqualTo(epochLabels(ds, 10, true, 7, 0));
        assertThat(epochLabels(ds, 10, true, 7, 0)).isNotEqualTo(epochLabels(ds, 10, true, 7, 1));
        List<Long> plain = epochLabels(ds, 10, false, 7, 0);
        for (int i = 0; i < 103; i++) {
            assertThat(plain.get(i)).isEqualTo(i % 10);
        }
    }

    @Test
    void dropLastBatches() {
        assertThat(EpochOrder.batches(EpochOrder.order(25, false, 0, 0), 10, true))
                .hasSize(2);
        assertThat(EpochOrder.batches(EpochOrder.order(25, false, 0, 0), 10, false))
                .hasSize(3);
    }
}
