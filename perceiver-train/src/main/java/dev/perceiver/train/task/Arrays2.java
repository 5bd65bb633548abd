package dev.perceiver.train.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;

/** Conversions of the data modules' Java arrays into NDArrays. */
final class Arrays2 {
    private Arrays2() {}

    /** (b, n) int64 from rows of equal length. */
    static NDArray longs(NDManager m, long[][] rows) {
        int n = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * n];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * n, n);
        }
        return Tensors.owned(m, flat, new Shape(rows.length, n));
    }

    /** (b, n) boolean from rows of equal length. */
    static NDArray booleans(NDManager m, boolean[][] rows) {
        int n = rows.length == 0 ? 0 : rows[0].length;
        boolean[] flat = new boolean[rows.length * n];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * n, n);
        }
        return Tensors.owned(m, flat, new Shape(rows.length, n));
    }

    /** Whether any element is true. */
    static boolean any(boolean[][] rows) {
        for (boolean[] r : rows) {
            for (boolean v : r) {
                if (v) {
                    return true;
                }
            }
        }
        return false;
    }
}
