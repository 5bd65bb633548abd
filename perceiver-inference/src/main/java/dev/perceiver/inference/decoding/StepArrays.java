package dev.perceiver.inference.decoding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;

/** The engine arrays of one generation step made from the Java token buffers, and its logits read back. */
final class StepArrays {
    private StepArrays() {}

    /** Token ids of columns [from, to) as int64 (b, to - from). */
    static NDArray ids(NDManager m, long[][] seq, int from, int to) {
        int b = seq.length;
        int w = to - from;
        long[] flat = new long[b * w];
        for (int r = 0; r < b; r++) {
            System.arraycopy(seq[r], from, flat, r * w, w);
        }
        return Tensors.owned(m, flat, new Shape(b, w));
    }

    /** Pad mask (true = padding) of columns [from, to), or null when the window has no padding. */
    static NDArray padMask(NDManager m, boolean[][] attention, int from, int to) {
        int b = attention.length;
        int w = to - from;
        boolean[] flat = new boolean[b * w];
        boolean any = false;
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < w; i++) {
                boolean pad = !attention[r][from + i];
                flat[r * w + i] = pad;
                any |= pad;
            }
        }
        return any ? Tensors.owned(m, flat, new Shape(b, w)) : null;
    }

    /** Logits of the last position: (b, l, vocab) -> b rows of vocab floats. */
    static float[][] lastLogits(NDArray logits) {
        long[] s = logits.getShape().getShape();
        int b = (int) s[0];
        int v = (int) s[2];
        float[] flat = logits.get(new NDIndex(":, -1, :"))
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        float[][] out = new float[b][];
        for (int r = 0; r < b; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * v, (r + 1) * v);
        }
        return out;
    }
}
