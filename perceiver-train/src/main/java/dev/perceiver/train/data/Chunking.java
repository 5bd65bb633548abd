package dev.perceiver.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a concatenated token stream into fixed-size chunks like the reference: if the stream holds at least one
 * full chunk, the incomplete tail is dropped; a stream shorter than one chunk gives a single short chunk.
 */
final class Chunking {
    private Chunking() {}

    /** Half-open ranges {@code {start, end}} of the chunks of a stream of {@code length} tokens. */
    static List<int[]> ranges(int length, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive: " + chunkSize);
        }
        List<int[]> out = new ArrayList<>();
        if (length < chunkSize) {
            if (length > 0) {
                out.add(new int[] {0, length});
            }
            return out;
        }
        for (int start = 0; start + chunkSize <= length; start += chunkSize) {
            out.add(new int[] {start, start + chunkSize});
        }
        return out;
    }
}
