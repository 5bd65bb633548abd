package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowTilesTest {
    @Test
    void sintelFrameWithThePublishedModel() {
        // 436x1024 frames, image_shape 368x496, overlap 20: rows 0, 348 -> 0, 68; columns 0, 476, 952 -> 0, 476, 528
        FlowTiles t = new FlowTiles(436, 1024, 368, 496, 20);
        assertThat(t.tiles())
                .containsExactly(
                        new FlowTiles.Tile(0, 0),
                        new FlowTiles.Tile(0, 476),
                        new FlowTiles.Tile(0, 528),
                        new FlowTiles.Tile(68, 0),
                        new FlowTiles.Tile(68, 476),
                        new FlowTiles.Tile(68, 528));
    }

    @Test
    void frameOfTheModelSizeIsOneTile() {
        assertThat(new FlowTiles(368, 496, 368, 496, 20).tiles()).containsExactly(new FlowTiles.Tile(0, 0));
        assertThat(new FlowTiles(8, 10, 8, 10, 0).tiles()).containsExactly(new FlowTiles.Tile(0, 0));
    }

    @Test
    void repeatedPositionsAreKeptOnce() {
        // 716 = 368 + 348: the reference's rows 0, 348, 696 -> 0, 348, 348
        assertThat(new FlowTiles(716, 496, 368, 496, 20).tiles())
                .containsExactly(new FlowTiles.Tile(0, 0), new FlowTiles.Tile(348, 0));
    }

    @Test
    void startsPastTheEdgeAreMovedBack() {
        // columns 0, 8, 16 -> 0, 8, 7 in the reference, whose tile at 8 would end at 18 > 17
        assertThat(new FlowTiles(8, 17, 8, 10, 2).tiles())
                .containsExactly(new FlowTiles.Tile(0, 0), new FlowTiles.Tile(0, 7));
    }

    @Test
    void tilesCoverTheFrame() {
        FlowTiles t = new FlowTiles(23, 31, 8, 10, 3);
        boolean[] covered = new boolean[23 * 31];
        for (FlowTiles.Tile tile : t.tiles()) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 10; x++) {
                    covered[(tile.top() + y) * 31 + tile.left() + x] = true;
                }
            }
        }
        for (boolean c : covered) {
            assertThat(c).isTrue();
        }
    }

    @Test
    void weightsGrowTowardsTheTileCentre() {
        FlowTiles t = new FlowTiles(5, 7, 5, 7, 1);
        assertThat(t.weight(0, 0)).isEqualTo(1);
        assertThat(t.weight(2, 3)).isEqualTo(3);
        assertThat(t.weight(2, 0)).isEqualTo(1);
        assertThat(t.weight(1, 3)).isEqualTo(2);
        assertThat(t.weight(4, 6)).isEqualTo(1);
    }

    @Test
    void blendIsTheWeightedMeanOfScaledTileFlows() {
        FlowTiles t = new FlowTiles(4, 6, 4, 4, 1);
        assertThat(t.tiles()).containsExactly(new FlowTiles.Tile(0, 0), new FlowTiles.Tile(0, 2));
        float[] a = new float[32];
        float[] b = new float[32];
        Arrays.fill(a, 1f);
        Arrays.fill(b, 3f);
        float[] flow = t.blend(List.of(a, b), 20f);
        // column 0: only tile a -> 20; column 5: only b -> 60; pixel (1, 2): a's weight min(3, 2, 2, 3) = 2,
        // b's weight min(1, 4, 2, 3) = 1 -> (2 * 20 + 1 * 60) / 3
        assertThat(flow[(1 * 6 + 0) * 2]).isEqualTo(20f);
        assertThat(flow[(1 * 6 + 5) * 2 + 1]).isEqualTo(60f);
        assertThat(flow[(1 * 6 + 2) * 2]).isCloseTo(100f / 3, org.assertj.core.api.Assertions.within(1e-5f));
    }

    @Test
    void constantTileFlowsBlendToTheSameConstant() {
        FlowTiles t = new FlowTiles(13, 17, 8, 10, 2);
        List<float[]> flows = new ArrayList<>();
        for (int i = 0; i < t.tiles().size(); i++) {
            float[] f = new float[160];
            for (int j = 0; j < 80; j++) {
                f[2 * j] = 0.5f;
                f[2 * j + 1] = -0.25f;
            }
            flows.add(f);
        }
        float[] flow = t.blend(flows, 20f);
        for (int i = 0; i < 13 * 17; i++) {
            assertThat(flow[2 * i]).isEqualTo(10f);
            assertThat(flow[2 * i + 1]).isEqualTo(-5f);
        }
    }

    @Test
    void badGeometryIsRejected() {
        assertThatThrownBy(() -> new FlowTiles(7, 20, 8, 10, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frame size 7x20")
                .hasMessageContaining("8x10");
        assertThatThrownBy(() -> new FlowTiles(8, 10, 8, 10, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min_overlap (8)")
                .hasMessageContaining("[0, 7]");
        FlowTiles t = new FlowTiles(8, 10, 8, 10, 2);
        assertThatThrownBy(() -> t.blend(List.of(), 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one per tile (1)");
    }
}
