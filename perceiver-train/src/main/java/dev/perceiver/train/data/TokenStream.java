package dev.perceiver.train.data;

import java.util.Arrays;

/** A growable concatenation of token ids (and optionally word ids), built while encoding documents. */
final class TokenStream {
    private long[] ids = new long[1024];
    private int[] words = new int[1024];
    private int length;

    void add(long[] tokenIds, int[] wordIds) {
        ensure(length + tokenIds.length);
        System.arraycopy(tokenIds, 0, ids, length, tokenIds.length);
        if (wordIds != null) {
            System.arraycopy(wordIds, 0, words, length, wordIds.length);
        }
        length += tokenIds.length;
    }

    void add(long tokenId, int wordId) {
        ensure(length + 1);
        ids[length] = tokenId;
        words[length] = wordId;
        length++;
    }

    int length() {
        return length;
    }

    long[] ids(int from, int to) {
        return Arrays.copyOfRange(ids, from, to);
    }

    int[] words(int from, int to) {
        return Arrays.copyOfRange(words, from, to);
    }

    private void ensure(int capacity) {
        if (capacity > ids.length) {
            int n = Math.max(capacity, ids.length * 2);
            ids = Arrays.copyOf(ids, n);
            words = Arrays.copyOf(words, n);
        }
    }
}
