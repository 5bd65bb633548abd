package dev.perceiver.inference.decoding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;

/**
 * The rotary embedding of one position per sequence, as a decoding step uses it: per sequence one block-diagonal
 * (c, c) rotation matrix, so that rotating the queries and keys of all heads of a step, rows (b, r, c), is one batched
 * matrix product. The same rotation as {@link dev.perceiver.model.position.RotaryPositionEmbedding} of those positions,
 * up to float rounding: pairs of the first rotate_dim channels {@code (x1, x2)} become
 * {@code (x1 cos - x2 sin, x2 cos + x1 sin)}, the other channels pass unchanged.
 */
final class SinglePositionRotation {
    private final NDManager manager;
    private final double[][] angles; // (b, rotate_dim)
    private final int rotateDim;
    private NDArray rotation; // (b, c, c), built on first use

    private SinglePositionRotation(NDManager manager, double[][] angles) {
        this.manager = manager;
        this.angles = angles;
        this.rotateDim = angles[0].length;
    }

    /**
     * @param angles (b, rotate_dim) angles in the layout of
     *     {@link dev.perceiver.model.position.FrequencyPositionEncoding#angles} (each angle twice)
     */
    static SinglePositionRotation of(NDManager manager, double[][] angles) {
        if (angles.length == 0 || angles[0].length == 0 || angles[0].length % 2 != 0) {
            throw new IllegalArgumentException("angles must have shape (b >= 1, even rotate_dim >= 2)");
        }
        return new SinglePositionRotation(manager, angles);
    }

    /** Rotates rows t (b, r, c), c >= rotate_dim, all rows of sequence i at sequence i's position: (b, r, c). */
    NDArray rotateRows(NDArray t) {
        long[] s = t.getShape().getShape();
        if (s.length != 3 || s[0] != angles.length || s[2] < rotateDim) {
            throw new IllegalArgumentException(
                    "rows must have shape (" + angles.length + ", r, c >= " + rotateDim + "), got " + t.getShape());
        }
        int c = (int) s[2];
        if (rotation == null || rotation.getShape().get(1) != c) {
            rotation = rotationMatrices(c);
        }
        return t.matMul(rotation);
    }

    /**
     * Per sequence, R (c, c) with x R = rotated x: for each pair (2i, 2i+1) the columns hold
     * (cos a, -sin a) and (sin a', cos a'), a and a' the pair's two (equal) angles; identity on the passed channels.
     */
    private NDArray rotationMatrices(int c) {
        int b = angles.length;
        float[] r = new float[b * c * c];
        for (int row = 0; row < b; row++) {
            int base = row * c * c;
            double[] a = angles[row];
            for (int i = 0; i < rotateDim; i += 2) {
                r[base + i * c + i] = (float) Math.cos(a[i]);
                r[base + (i + 1) * c + i] = (float) -Math.sin(a[i]);
                r[base + i * c + i + 1] = (float) Math.sin(a[i + 1]);
                r[base + (i + 1) * c + i + 1] = (float) Math.cos(a[i + 1]);
            }
            for (int i = rotateDim; i < c; i++) {
                r[base + i * c + i] = 1f;
            }
        }
        return Tensors.owned(manager, r, new Shape(b, c, c));
    }
}
