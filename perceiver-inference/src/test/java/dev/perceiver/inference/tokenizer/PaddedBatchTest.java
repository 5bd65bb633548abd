package dev.perceiver.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.tokenizer.PaddedBatch.Side;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaddedBatchTest {
    private static final List<long[]> ROWS = List.of(new long[] {7, 8, 9}, new long[] {7}, new long[0]);

    @Test
    void rightPaddingPutsPadAfterTheTokensAndMasksIt() {
        PaddedBatch b = PaddedBatch.of(ROWS, 0, Side.RIGHT);
        assertThat(b.batchSize()).isEqualTo(3);
        assertThat(b.length()).isEqualTo(3);
        assertThat(b.ids()).isDeepEqualTo(new long[][] {{7, 8, 9}, {7, 0, 0}, {0, 0, 0}});
        assertThat(b.padMask())
                .isDeepEqualTo(new boolean[][] {{false, false, false}, {false, true, true}, {true, true, true}});
        assertThat(b.row(1)).containsExactly(7);
        assertThat(b.rowLength(2)).isZero();
        assertThat(b.start(1)).isZero();
        assertThat(b.hasPadding()).isTrue();
    }

    @Test
    void leftPaddingPutsTheLastTokenOfEveryRowAtTheLastColumn() {
        PaddedBatch b = PaddedBatch.of(ROWS, -100, Side.LEFT, 4);
        assertThat(b.ids())
                .isDeepEqualTo(new long[][] {{-100, 7, 8, 9}, {-100, -100, -100, 7}, {-100, -100, -100, -100}});
        assertThat(b.padMask()[0]).containsExactly(true, false, false, false);
        assertThat(b.padMask()[1]).containsExactly(true, true, true, false);
        assertThat(b.padding(1)).isEqualTo(3);
        assertThat(b.start(0)).isEqualTo(1);
        assertThat(b.row(0)).containsExactly(7, 8, 9);
        assertThatThrownBy(() -> PaddedBatch.of(ROWS, 0, Side.LEFT, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 0 has 3 ids");
        assertThatThrownBy(() -> PaddedBatch.of(List.of(), 0, Side.LEFT)).hasMessageContaining("rows (0)");
    }

    @Test
    void fromPadMaskKeepsTheIdsAndChecksThePaddingSide() {
        long[][] ids = {{5, 1, 2}, {3, 4, 6}};
        boolean[][] left = {{true, false, false}, {false, false, false}};
        PaddedBatch b = PaddedBatch.fromPadMask(ids, left, Side.LEFT);
        assertThat(b.ids()).isDeepEqualTo(ids);
        assertThat(b.padMask()).isDeepEqualTo(left);
        assertThat(b.row(0)).containsExactly(1, 2);
        assertThatThrownBy(() -> PaddedBatch.fromPadMask(ids, left, Side.RIGHT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 0")
                .hasMessageContaining("right-padded");
        assertThatThrownBy(() -> PaddedBatch.fromPadMask(
                        ids, new boolean[][] {{false, true, false}, {false, false, false}}, Side.LEFT))
                .hasMessageContaining("position 1");
        assertThatThrownBy(() -> PaddedBatch.fromPadMask(ids, new boolean[1][3], Side.LEFT))
                .hasMessageContaining("pad_mask rows (1)");
    }

    @Test
    void prefixKeepsColumnsAndTheMaskStaysConsistent() {
        PaddedBatch left = PaddedBatch.of(ROWS, 0, Side.LEFT).prefix(2);
        assertThat(left.ids()).isDeepEqualTo(new long[][] {{7, 8}, {0, 0}, {0, 0}});
        assertThat(left.padMask()).isDeepEqualTo(new boolean[][] {{false, false}, {true, true}, {true, true}});
        PaddedBatch right = PaddedBatch.of(ROWS, 0, Side.RIGHT).prefix(2);
        assertThat(right.padMask()).isDeepEqualTo(new boolean[][] {{false, false}, {false, true}, {true, true}});
        assertThatThrownBy(() -> right.prefix(3)).hasMessageContaining("keep (3)");
    }

    @Test
    void engineArraysHaveShapeBnAndNoMaskWithoutPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            PaddedBatch padded = PaddedBatch.of(ROWS, 0, Side.RIGHT);
            NDArray ids = padded.ids(m);
            assertThat(ids.getShape().getShape()).containsExactly(3, 3);
            assertThat(ids.toLongArray()).containsExactly(7, 8, 9, 7, 0, 0, 0, 0, 0);
            NDArray mask = padded.padMask(m);
            assertThat(mask.toBooleanArray()).containsExactly(false, false, false, false, true, true, true, true, true);
            PaddedBatch full = PaddedBatch.of(List.of(new long[] {1, 2}, new long[] {3, 4}), 0, Side.LEFT);
            assertThat(full.hasPadding()).isFalse();
            assertThat(full.padMask(m)).isNull();
        }
    }
}
