package dev.perceiver.train.data;

/**
 * Assigns word ids to token ids for whole-word masking. Word boundaries are whitespace boundaries: whitespace
 * tokens belong to the word that follows them; special tokens get {@link #NO_WORD}. Distinct words get
 * distinct ids, ids never decrease along the sequence, but they need not be consecutive.
 */
public final class WordIds {
    /** Word id of special tokens (not part of any word, never masked). */
    public static final int NO_WORD = -1;

    private WordIds() {}

    /**
     * Computes word ids.
     *
     * @param ids token ids, shape {@code (n)}
     * @param firstId id given to the first word; later words get larger ids
     * @return word ids, shape {@code (n)}, {@link #NO_WORD} for special tokens
     */
    public static int[] compute(long[] ids, TextTokenizer tokenizer, int firstId) {
        int[] out = new int[ids.length];
        int current = firstId;
        boolean afterRegular = false;
        boolean started = false;
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (tokenizer.isSpecial(id)) {
                out[i] = NO_WORD;
                if (started) {
                    current++;
                }
                afterRegular = false;
                started = false;
            } else if (tokenizer.isWhitespace(id)) {
                if (afterRegular) {
                    current++;
                }
                afterRegular = false;
                started = true;
                out[i] = current;
            } else {
                afterRegular = true;
                started = true;
                out[i] = current;
            }
        }
        return out;
    }

    /** One more than the largest word id in {@code wordIds}, or {@code firstId} if there is none. */
    static int next(int[] wordIds, int firstId) {
        int max = firstId - 1;
        for (int w : wordIds) {
            max = Math.max(max, w);
        }
        return max + 1;
    }
}
