package dev.perceiver.model.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;

/**
 * Rotary position embedding (RoPE) of the first {@code rotate_dim} channels of each head: pairs of channels
 * {@code (x1, x2)} become {@code (x1 cos - x2 sin, x2 cos + x1 sin)}; the remaining channels pass unchanged.
 *
 * <p>Two forms with the same result:
 * <ul>
 * <li>from a frequency encoding of shape (b, n, rotate_dim) ({@link #RotaryPositionEmbedding(NDArray, boolean)}),
 * applied to tensors of shape (b, h, n_t, c) with n_t <= n, using the last n_t positions when right-aligned
 * (Perceiver AR) or the first n_t otherwise;</li>
 * <li>for one position per sequence ({@link #ofSinglePositions}), as used by decoding steps: the rotation is one
 * block-diagonal (c, c) matrix per sequence, so rotating (b, h, 1, c) is a single batched matrix product.</li>
 * </ul>
 */
public final class RotaryPositionEmbedding {
    private final NDArray frqPosEnc; // (b, 1, n, r), or null in the single-position form
    private final long rotateDim;
    private final boolean rightAlign;
    private final NDManager manager;
    private final double[][] angles; // (b, r) in the single-position form, else null
    private NDArray rotation; // (b, c, c), built on first use
    private long cachedLen = -1;
    private NDArray cachedCos;
    private NDArray cachedSin;

    /**
     * @param frqPosEnc float32 angles of shape (b, n, rotate_dim)
     * @param rightAlign whether tensors shorter than n use the right-most positions
     */
    public RotaryPositionEmbedding(NDArray frqPosEnc, boolean rightAlign) {
        this.frqPosEnc = frqPosEnc.expandDims(1);
        this.rotateDim = frqPosEnc.getShape().get(2);
        this.rightAlign = rightAlign;
        this.manager = null;
        this.angles = null;
    }

    private RotaryPositionEmbedding(NDManager manager, double[][] angles) {
        this.frqPosEnc = null;
        this.rotateDim = angles[0].length;
        this.rightAlign = true;
        this.manager = manager;
        this.angles = angles;
    }

    /**
     * The embedding of one position per sequence.
     *
     * @param angles (b, rotate_dim) angles in the layout of {@link FrequencyPositionEncoding} (each angle twice)
     */
    public static RotaryPositionEmbedding ofSinglePositions(NDManager manager, double[][] angles) {
        if (angles.length == 0 || angles[0].length == 0 || angles[0].length % 2 != 0) {
            throw new IllegalArgumentException("angles must have shape (b >= 1, even rotate_dim >= 2)");
        }
        return new RotaryPositionEmbedding(manager, angles);
    }

    /** Rotates {@code t} of shape (b, h, n_t, c), c >= rotate_dim, n_t <= n; returns the same shape. */
    public NDArray rotate(NDArray t) {
        long[] s = t.getShape().getShape();
        if (angles != null) {
            return rotateSingle(t, s);
        }
        long seqLen = s[2];
        long n = frqPosEnc.getShape().get(2);
        if (seqLen > n) {
            throw new IllegalArgumentException(
                    "sequence length (" + seqLen + ") exceeds the rotary encoding length (" + n + ")");
        }
        if (seqLen != cachedLen) {
            // queries and keys of every layer share the encoding: cos and sin are computed once per length
            NDArray enc = rightAlign
                    ? frqPosEnc.get(new NDIndex(":, :, {}:, :", n - seqLen))
                    : frqPosEnc.get(new NDIndex(":, :, :{}, :", seqLen));
            cachedCos = enc.cos();
            cachedSin = enc.sin();
            cachedLen = seqLen;
        }
        long c = s[3];
        NDArray tRot = c == rotateDim ? t : t.get(new NDIndex("..., :{}", rotateDim));
        NDArray rotated = tRot.mul(cachedCos).add(rotateHalf(tRot).mul(cachedSin));
        if (c == rotateDim) {
            return rotated;
        }
        NDArray tPass = t.get(new NDIndex("..., {}:", rotateDim));
        return NDArrays.concat(new NDList(rotated, tPass), -1);
    }

    /** Whether this is the single-position form ({@link #ofSinglePositions}). */
    public boolean isSinglePosition() {
        return angles != null;
    }

    /**
     * Single-position form only: rotates rows t (b, r, c), c >= rotate_dim, all rows of sequence i at position i
     * (e.g. the queries and keys of all heads of a decoding step at once); returns (b, r, c).
     */
    public NDArray rotateRows(NDArray t) {
        long[] s = t.getShape().getShape();
        long b = angles == null ? -1 : angles.length;
        if (angles == null || s.length != 3 || s[0] != b || s[2] < rotateDim) {
            throw new IllegalArgumentException("rotateRows needs the single-position form and a tensor of shape (" + b
                    + ", rows, c >= " + rotateDim + "), got " + t.getShape());
        }
        return t.matMul(rotation((int) s[2]));
    }

    /** (b, h, 1, c) times the per-sequence rotation matrices (b, c, c). */
    private NDArray rotateSingle(NDArray t, long[] s) {
        long b = angles.length;
        if (s[0] != b || s[2] != 1 || s[3] < rotateDim) {
            throw new IllegalArgumentException(
                    "expected a tensor of shape (" + b + ", h, 1, c >= " + rotateDim + ") but got " + t.getShape());
        }
        return t.reshape(b, s[1], s[3]).matMul(rotation((int) s[3])).reshape(s);
    }

    private NDArray rotation(int c) {
        if (rotation == null || rotation.getShape().get(1) != c) {
            rotation = rotationMatrices(c);
        }
        return rotation;
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
            for (int i = (int) rotateDim; i < c; i++) {
                r[base + i * c + i] = 1f;
            }
        }
        return Tensors.owned(manager, r, new Shape(b, c, c));
    }

    /** [x1, x2, x3, x4, ...] -> [-x2, x1, -x4, x3, ...] along the last axis. */
    static NDArray rotateHalf(NDArray x) {
        long[] s = x.getShape().getShape();
        long[] pairs = new long[s.length + 1];
        System.arraycopy(s, 0, pairs, 0, s.length - 1);
        pairs[s.length - 1] = s[s.length - 1] / 2;
        pairs[s.length] = 2;
        NDArray p = x.reshape(pairs);
        NDArray x1 = p.get(new NDIndex("..., 0"));
        NDArray x2 = p.get(new NDIndex("..., 1"));
        return NDArrays.stack(new NDList(x2.neg(), x1), -1).reshape(s);
    }
}
