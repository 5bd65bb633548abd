package dev.perceiver.inference.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;
import java.util.List;

/**
 * Token id rows of different lengths right-padded to the longest: ids (b, n) and pad mask (b, n), true = padding,
 * as the Perceiver IO text models take them.
 */
public final class RightPadded {
    private final long[][] ids;
    private final int[] lengths;

    /** Pads rows with {@code padId}; every row must be non-empty. */
    public RightPadded(List<long[]> rows, long padId) {
        int n = 0;
        for (long[] r : rows) {
            n = Math.max(n, r.length);
        }
        ids = new long[rows.size()][n];
        lengths = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            long[] row = rows.get(r);
            System.arraycopy(row, 0, ids[r], 0, row.length);
            java.util.Arrays.fill(ids[r], row.length, n, padId);
            lengths[r] = row.length;
        }
    }

    /** Token ids (b, n) as int64 in {@code m}. */
    public NDArray ids(NDManager m) {
        int b = ids.length;
        int n = ids[0].length;
        long[] flat = new long[b * n];
        for (int r = 0; r < b; r++) {
            System.arraycopy(ids[r], 0, flat, r * n, n);
        }
        return Tensors.owned(m, flat, new Shape(b, n));
    }

    /** Pad mask (b, n), true = padding, or null when no row is padded. */
    public NDArray padMask(NDManager m) {
        int b = ids.length;
        int n = ids[0].length;
        boolean[] flat = new boolean[b * n];
        boolean any = false;
        for (int r = 0; r < b; r++) {
            for (int i = lengths[r]; i < n; i++) {
                flat[r * n + i] = true;
                any = true;
            }
        }
        return any ? Tensors.owned(m, flat, new Shape(b, n)) : null;
    }

    /** Padded length n. */
    public int length() {
        return ids[0].length;
    }
}
