package dev.perceiver.model.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * Rotary position embedding (RoPE) of the first {@code rotate_dim} channels of each head: pairs of channels
 * {@code (x1, x2)} become {@code (x1 cos - x2 sin, x2 cos + x1 sin)}; the remaining channels pass unchanged.
 * Built from a frequency encoding of shape (b, n, rotate_dim) and applied to tensors of shape (b, h, n_t, c) with
 * n_t <= n, using the last n_t positions when right-aligned (Perceiver AR) or the first n_t otherwise.
 */
public final class RotaryPositionEmbedding {
    private final NDArray frqPosEnc; // (b, 1, n, r)
    private final long rotateDim;
    private final boolean rightAlign;
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
    }

    /** Rotates {@code t} of shape (b, h, n_t, c), c >= rotate_dim, n_t <= n; returns the same shape. */
    public NDArray rotate(NDArray t) {
        long[] s = t.getShape().getShape();
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
