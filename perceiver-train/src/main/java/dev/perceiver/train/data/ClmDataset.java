package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.SpecialToken;
import dev.perceiver.inference.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Causal-language-modelling examples: a token stream cut into chunks of {@code maxSeqLen + 1} tokens. Each
 * chunk gives input {@code x = chunk[0 .. n-2]} and labels {@code chunk[1 .. n-1]} (labels shifted by one).
 * As in the reference, an incomplete tail chunk is dropped unless the stream is shorter than one chunk.
 */
public final class ClmDataset {
    private final List<long[]> chunks;
    private final int maxSeqLen;

    private ClmDataset(List<long[]> chunks, int maxSeqLen) {
        this.chunks = chunks;
        this.maxSeqLen = maxSeqLen;
    }

    /**
     * Encodes documents, appends the EOS token after each, concatenates and chunks them.
     *
     * @param maxSeqLen model input length; chunks hold {@code maxSeqLen + 1} tokens
     * @throws IllegalArgumentException if the tokenizer has no EOS token
     */
    public static ClmDataset fromDocuments(List<String> documents, Tokenizer tokenizer, int maxSeqLen) {
        long eos = tokenizer.requireTokenId(SpecialToken.EOS, "causal language modelling (document separator)");
        TokenStream stream = new TokenStream();
        for (String doc : documents) {
            stream.add(tokenizer.encode(doc, false), null);
            stream.add(eos, Tokenizer.NO_WORD);
        }
        return fromStream(stream, maxSeqLen);
    }

    /** Chunks an already concatenated token stream of shape {@code (n)}. */
    public static ClmDataset fromTokens(long[] tokens, int maxSeqLen) {
        TokenStream stream = new TokenStream();
        stream.add(tokens, null);
        return fromStream(stream, maxSeqLen);
    }

    private static ClmDataset fromStream(TokenStream stream, int maxSeqLen) {
        if (maxSeqLen <= 0) {
            throw new IllegalArgumentException("maxSeqLen must be positive: " + maxSeqLen);
        }
        List<long[]> chunks = new ArrayList<>();
        for (int[] r : Chunking.ranges(stream.length(), maxSeqLen + 1)) {
            if (r[1] - r[0] >= 2) {
                chunks.add(stream.ids(r[0], r[1]));
            }
        }
        return new ClmDataset(List.copyOf(chunks), maxSeqLen);
    }

    /** Number of examples. */
    public int size() {
        return chunks.size();
    }

    /** Model input length; full chunks hold {@code maxSeqLen + 1} tokens. */
    public int maxSeqLen() {
        return maxSeqLen;
    }

    /** Chunk {@code i}, shape {@code (maxSeqLen + 1)} (shorter only for a corpus below one chunk); shared. */
    public long[] chunk(int i) {
        return chunks.get(i);
    }

    /** Input of example {@code i}: the chunk without its last token, shape {@code (maxSeqLen)}. */
    public long[] input(int i) {
        long[] c = chunks.get(i);
        return Arrays.copyOfRange(c, 0, c.length - 1);
    }

    /** Labels of example {@code i}: the chunk without its first token, shape {@code (maxSeqLen)}. */
    public long[] labels(int i) {
        long[] c = chunks.get(i);
        return Arrays.copyOfRange(c, 1, c.length);
    }

    /** The chunks at the given indices, in that order. */
    public List<long[]> chunks(int[] indices) {
        List<long[]> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(chunks.get(i));
        }
        return out;
    }
}
