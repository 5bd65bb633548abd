package dev.perceiver.inference.decoding;

import java.util.Arrays;
import java.util.List;

/**
 * A batch of prompts left-padded to a common length n: token ids (b, n) and the attention mask (b, n) (true = real
 * token, false = left padding). Perceiver AR expects left padding: the last prompt token of every row is at the
 * last column, where generation continues.
 */
public final class PromptBatch {
    private final long[][] ids;
    private final boolean[][] attentionMask;

    /**
     * @param ids token ids (b, n), b >= 1, n >= 1
     * @param attentionMask (b, n), true = real token; each row is a run of false (padding) then a run of true
     */
    public PromptBatch(long[][] ids, boolean[][] attentionMask) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("prompts (0) must contain at least one prompt");
        }
        if (attentionMask.length != ids.length) {
            throw new IllegalArgumentException("attention_mask rows (" + attentionMask.length
                    + ") must equal the number of prompts (" + ids.length + ")");
        }
        int n = ids[0].length;
        for (int r = 0; r < ids.length; r++) {
            if (ids[r].length != n || attentionMask[r].length != n) {
                throw new IllegalArgumentException("prompt " + r + " has length " + ids[r].length + " (mask "
                        + attentionMask[r].length + ") but the batch length is " + n);
            }
            boolean seenReal = false;
            for (int i = 0; i < n; i++) {
                if (attentionMask[r][i]) {
                    seenReal = true;
                } else if (seenReal) {
                    throw new IllegalArgumentException("attention_mask of prompt " + r + " has padding at position " + i
                            + " after a real token; prompts must be left-padded");
                }
            }
            if (!seenReal && n > 0) {
                throw new IllegalArgumentException(
                        "prompt " + r + " is empty (only padding); at least 1 token is " + "required");
            }
        }
        this.ids = deepCopy(ids);
        this.attentionMask = new boolean[ids.length][];
        for (int r = 0; r < ids.length; r++) {
            this.attentionMask[r] = attentionMask[r].clone();
        }
    }

    /** Left-pads prompts of different lengths with {@code padTokenId}. */
    public static PromptBatch leftPadded(List<long[]> prompts, long padTokenId) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts (0) must contain at least one prompt");
        }
        int n = 0;
        for (int r = 0; r < prompts.size(); r++) {
            if (prompts.get(r).length == 0) {
                throw new IllegalArgumentException("prompt " + r + " is empty; at least 1 token is required");
            }
            n = Math.max(n, prompts.get(r).length);
        }
        long[][] ids = new long[prompts.size()][n];
        boolean[][] mask = new boolean[prompts.size()][n];
        for (int r = 0; r < prompts.size(); r++) {
            long[] p = prompts.get(r);
            int pad = n - p.length;
            Arrays.fill(ids[r], 0, pad, padTokenId);
            System.arraycopy(p, 0, ids[r], pad, p.length);
            Arrays.fill(mask[r], pad, n, true);
        }
        return new PromptBatch(ids, mask);
    }

    /** Batch size b. */
    public int batchSize() {
        return ids.length;
    }

    /** Padded prompt length n. */
    public int length() {
        return ids[0].length;
    }

    /** Token ids (b, n), a copy. */
    public long[][] ids() {
        return deepCopy(ids);
    }

    /** Attention mask (b, n), true = real token, a copy. */
    public boolean[][] attentionMask() {
        boolean[][] out = new boolean[attentionMask.length][];
        for (int r = 0; r < out.length; r++) {
            out[r] = attentionMask[r].clone();
        }
        return out;
    }

    /** Number of left-padding positions of row {@code r}. */
    public int padding(int r) {
        int p = 0;
        while (p < attentionMask[r].length && !attentionMask[r][p]) {
            p++;
        }
        return p;
    }

    private static long[][] deepCopy(long[][] a) {
        long[][] out = new long[a.length][];
        for (int r = 0; r < a.length; r++) {
            out[r] = a[r].clone();
        }
        return out;
    }
}
