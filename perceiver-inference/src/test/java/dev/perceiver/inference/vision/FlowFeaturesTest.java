package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlowFeaturesTest {
    /** Frame (h, w, 3) whose value encodes position and colour, so every feature can be traced back. */
    private static Pixels frame(int h, int w, int base) {
        int[] d = new int[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    d[(y * w + x) * 3 + c] = base + 30 * y + 5 * x + c;
                }
            }
        }
        return new Pixels(h, w, 3, d);
    }

    private static float norm(int v) {
        return (float) v / 255f * 2f - 1f;
    }

    @Test
    void normalisesToMinusOneToOneChannelsFirst() {
        float[] f = FlowFeatures.normalize(new Pixels(1, 2, 3, new int[] {0, 255, 128, 1, 2, 3}));
        // (3, 1, 2): channel 0 of both pixels, then channel 1, then channel 2
        assertThat(f)
                .containsExactly(
                        -1f, 1 / 255f * 2f - 1f, 1f, 2 / 255f * 2f - 1f, 128 / 255f * 2f - 1f, 3 / 255f * 2f - 1f);
        assertThat(f[4]).isEqualTo(0.003921628f);
    }

    @Test
    void channelOrderIsRowOffsetThenColumnOffsetThenColour() {
        int h = 3;
        int w = 4;
        float[] f1 = FlowFeatures.normalize(frame(h, w, 0));
        float[] f2 = FlowFeatures.normalize(frame(h, w, 100));
        float[] out = new float[2 * 27 * h * w];
        FlowFeatures.extract(f1, f2, h, w, 0, 0, h, w, out, 0);
        // pixel (1, 2): neighbour (1 + ki - 1, 2 + kj - 1), colour c, at channel ki * 9 + kj * 3 + c
        for (int t = 0; t < 2; t++) {
            for (int ki = 0; ki < 3; ki++) {
                for (int kj = 0; kj < 3; kj++) {
                    for (int c = 0; c < 3; c++) {
                        int channel = ki * 9 + kj * 3 + c;
                        float expected = norm(100 * t + 30 * ki + 5 * (1 + kj) + c);
                        assertThat(out[((t * 27 + channel) * h + 1) * w + 2])
                                .as("t %d ch %d", t, channel)
                                .isEqualTo(expected);
                    }
                }
            }
        }
        // corner (0, 0): neighbours above or left are zero padding; channel 13 (centre, green) is the pixel itself
        assertThat(out[0]).isZero();
        assertThat(out[(13 * h) * w]).isEqualTo(norm(1));
        assertThat(out[(9 * 2 * h) * w]).isZero();
        // (ki, kj) = (2, 2), red, at (0, 0) is pixel (1, 1)
        assertThat(out[(24 * h) * w]).isEqualTo(norm(30 + 5));
    }

    @Test
    void tilesArePaddedAtTheirOwnBorderNotWithNeighbourPixels() {
        int h = 4;
        int w = 5;
        float[] f = FlowFeatures.normalize(frame(h, w, 0));
        int th = 2;
        int tw = 3;
        float[] out = new float[2 * 27 * th * tw];
        FlowFeatures.extract(f, f, h, w, 1, 2, th, tw, out, 0);
        // tile pixel (0, 0) is frame pixel (1, 2); its upper-left neighbour (0, 1) lies outside the tile -> 0
        assertThat(out[0]).isZero();
        // centre, blue: frame (1, 2)
        assertThat(out[(14 * th) * tw]).isEqualTo(norm(30 + 10 + 2));
        // right neighbour of tile pixel (1, 1), red: frame (2, 4)
        assertThat(out[((12 + 3) * th + 1) * tw + 1]).isEqualTo(norm(60 + 20));
        // right neighbour of tile pixel (1, 2) is outside the tile (though inside the frame) -> 0
        assertThat(out[((12 + 3) * th + 1) * tw + 2]).isZero();
    }

    @Test
    void tileOutsideTheFrameIsRejected() {
        float[] f = new float[3 * 2 * 2];
        assertThatThrownBy(() -> FlowFeatures.extract(f, f, 2, 2, 1, 0, 2, 2, new float[216], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inside the frame of 2x2");
    }
}
