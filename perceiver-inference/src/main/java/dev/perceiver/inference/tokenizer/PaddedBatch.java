package dev.perceiver.inference.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Tensors;
import java.util.Arrays;
import java.util.List;

/**
 * Token id rows of different lengths padded to one length n: ids (b, n) and a pad mask (b, n) in the one mask
 * convention of this project, <b>true = padding</b> (the reference's {@code pad_mask}; Hugging Face's
 * {@code attention_mask} is its negation). Padding is on one {@link Side} of every row: on the right for the
 * Perceiver IO encoders (the Hugging Face default), on the left for Perceiver AR prompts, so that the last real token
 * of every row is at column n - 1 where generation continues. Rows may be empty (all padding).
 *
 * <p>Immutable; the array accessors return copies.
 */
public final class PaddedBatch {
    /** Which end of a row receives the padding. */
    public enum Side {
        /** Padding before the tokens (Perceiver AR prompts and causal language modelling batches). */
        LEFT,
        /** Padding after the tokens (Perceiver IO inputs, the Hugging Face default). */
        RIGHT
    }

    private final long[][] ids;
    private final int[] lengths;
    private final Side side;

    private PaddedBatch(long[][] ids, int[] lengths, Side side) {
        this.ids = ids;
        this.lengths = lengths;
        this.side = side;
    }

    /**
     * Pads rows with {@code padId} to the longest row.
     *
     * @param rows b >= 1 id rows, each of any length
     * @param padId the value of padding positions (a token id, or -100 for label rows)
     */
    public static PaddedBatch of(List<long[]> rows, long padId, Side side) {
        int longest = 0;
        for (long[] row : rows) {
            longest = Math.max(longest, row.length);
        }
        return of(rows, padId, side, longest);
    }

    /**
     * Pads rows with {@code padId} to a fixed length.
     *
     * @param rows b >= 1 id rows, each at most {@code length} long
     * @param length n, the length of every padded row
     * @throws IllegalArgumentException if there are no rows or a row is longer than {@code length}
     */
    public static PaddedBatch of(List<long[]> rows, long padId, Side side, int length) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("rows (0) must contain at least one row");
        }
        long[][] ids = new long[rows.size()][length];
        int[] lengths = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            long[] row = rows.get(r);
            if (row.length > length) {
                throw new IllegalArgumentException(
                        "row " + r + " has " + row.length + " ids, more than the padded length " + length);
            }
            int offset = side == Side.LEFT ? length - row.length : 0;
            Arrays.fill(ids[r], padId);
            System.arraycopy(row, 0, ids[r], offset, row.length);
            lengths[r] = row.length;
        }
        return new PaddedBatch(ids, lengths, side);
    }

    /**
     * Wraps already padded ids and their pad mask (for example a batch read from a file).
     *
     * @param ids (b, n), b >= 1
     * @param padMask (b, n), true = padding; in every row the padding must be one run at {@code side}
     * @throws IllegalArgumentException if the shapes differ or a row has padding away from {@code side}
     */
    public static PaddedBatch fromPadMask(long[][] ids, boolean[][] padMask, Side side) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("ids (0 rows) must contain at least one row");
        }
        if (padMask.length != ids.length) {
            throw new IllegalArgumentException(
                    "pad_mask rows (" + padMask.length + ") must equal the ids rows (" + ids.length + ")");
        }
        int n = ids[0].length;
        long[][] copy = new long[ids.length][];
        int[] lengths = new int[ids.length];
        for (int r = 0; r < ids.length; r++) {
            if (ids[r].length != n || padMask[r].length != n) {
                throw new IllegalArgumentException("row " + r + " has length " + ids[r].length + " (pad_mask "
                        + padMask[r].length + ") but the batch length is " + n);
            }
            int pad = 0;
            while (pad < n && padMask[r][side == Side.LEFT ? pad : n - 1 - pad]) {
                pad++;
            }
            for (int i = 0; i < n - pad; i++) {
                int col = side == Side.LEFT ? pad + i : i;
                if (padMask[r][col]) {
                    throw new IllegalArgumentException("pad_mask of row " + r + " has padding at position " + col
                            + " between tokens; rows must be " + side.name().toLowerCase(java.util.Locale.ROOT)
                            + "-padded");
                }
            }
            copy[r] = ids[r].clone();
            lengths[r] = n - pad;
        }
        return new PaddedBatch(copy, lengths, side);
    }

    /** Batch size b. */
    public int batchSize() {
        return ids.length;
    }

    /** Padded length n. */
    public int length() {
        return ids[0].length;
    }

    /** Where the padding of every row is. */
    public Side side() {
        return side;
    }

    /** Number of real (non-padding) tokens of row {@code r}. */
    public int rowLength(int r) {
        return lengths[r];
    }

    /** Number of padding positions of row {@code r}. */
    public int padding(int r) {
        return length() - lengths[r];
    }

    /** Column of the first real token of row {@code r} (0 for right padding). */
    public int start(int r) {
        return side == Side.LEFT ? padding(r) : 0;
    }

    /** The real tokens of row {@code r}, without padding, a copy. */
    public long[] row(int r) {
        return Arrays.copyOfRange(ids[r], start(r), start(r) + lengths[r]);
    }

    /** Whether any position is padding. */
    public boolean hasPadding() {
        for (int len : lengths) {
            if (len < length()) {
                return true;
            }
        }
        return false;
    }

    /** Token ids (b, n), a copy. */
    public long[][] ids() {
        long[][] out = new long[ids.length][];
        for (int r = 0; r < ids.length; r++) {
            out[r] = ids[r].clone();
        }
        return out;
    }

    /** Pad mask (b, n), true = padding. */
    public boolean[][] padMask() {
        int n = length();
        boolean[][] out = new boolean[ids.length][n];
        for (int r = 0; r < ids.length; r++) {
            int from = start(r);
            Arrays.fill(out[r], 0, from, true);
            Arrays.fill(out[r], from + lengths[r], n, true);
        }
        return out;
    }

    /** The first {@code keep} columns of every row (a row may lose real tokens, never its side of padding). */
    public PaddedBatch prefix(int keep) {
        if (keep < 0 || keep > length()) {
            throw new IllegalArgumentException("keep (" + keep + ") must be in [0, " + length() + "] (length)");
        }
        long[][] cut = new long[ids.length][];
        int[] kept = new int[ids.length];
        for (int r = 0; r < ids.length; r++) {
            cut[r] = Arrays.copyOf(ids[r], keep);
            kept[r] = Math.max(0, Math.min(start(r) + lengths[r], keep) - start(r));
        }
        return new PaddedBatch(cut, kept, side);
    }

    /** Token ids (b, n) as int64 in {@code m}. */
    public NDArray ids(NDManager m) {
        int b = ids.length;
        int n = length();
        long[] flat = new long[b * n];
        for (int r = 0; r < b; r++) {
            System.arraycopy(ids[r], 0, flat, r * n, n);
        }
        return Tensors.owned(m, flat, new Shape(b, n));
    }

    /** Pad mask (b, n) as boolean in {@code m}, true = padding, or null when no position is padding. */
    public NDArray padMask(NDManager m) {
        if (!hasPadding()) {
            return null;
        }
        int n = length();
        boolean[] flat = new boolean[ids.length * n];
        boolean[][] mask = padMask();
        for (int r = 0; r < ids.length; r++) {
            System.arraycopy(mask[r], 0, flat, r * n, n);
        }
        return Tensors.owned(m, flat, new Shape(ids.length, n));
    }
}
