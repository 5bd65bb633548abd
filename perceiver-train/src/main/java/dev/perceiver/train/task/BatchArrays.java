package dev.perceiver.train.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;

/** NDArrays of a batch from the Java row arrays (one row per example) that the collators build. */
final class BatchArrays {
    private BatchArrays() {}

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
    static boolean anyTrue(boolean[][] rows) {
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
