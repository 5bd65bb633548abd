package dev.perceiver.train.data;

import dev.perceiver.inference.tokenizer.EncodedText;
import dev.perceiver.inference.tokenizer.SpecialToken;
import dev.perceiver.inference.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Masked-language-modelling examples: documents are encoded (with word ids), concatenated and cut into
 * chunks of {@code maxSeqLen} tokens. As in the reference, an incomplete tail chunk is dropped unless the whole
 * stream is shorter than one chunk (then it is the only, short, example). Word ids are unique across
 * documents. Masking happens later, per batch, in {@link MlmCollator}.
 */
public final class MlmDataset {
    private final List<MlmExample> examples;
    private final int maxSeqLen;

    private MlmDataset(List<MlmExample> examples, int maxSeqLen) {
        this.examples = examples;
        this.maxSeqLen = maxSeqLen;
    }

    /**
     * Encodes and chunks documents.
     *
     * @param addEos whether to append the tokenizer's EOS token after each document
     * @param maxSeqLen chunk length
     * @throws IllegalArgumentException if {@code addEos} and the tokenizer has no EOS token
     */
    public static MlmDataset build(List<String> documents, Tokenizer tokenizer, int maxSeqLen, boolean addEos) {
        long eos = addEos ? tokenizer.requireTokenId(SpecialToken.EOS, "data.add_eos_token") : -1;
        TokenStream stream = new TokenStream();
        int nextWord = 0;
        for (String doc : documents) {
            EncodedText encoded = tokenizer.encodeWithWordIds(doc, false);
            int[] words = encoded.wordIds();
            int offset = nextWord;
            for (int i = 0; i < words.length; i++) {
                if (words[i] != Tokenizer.NO_WORD) {
                    words[i] += offset; // word ids unique across documents
                    nextWord = Math.max(nextWord, words[i] + 1);
                }
            }
            stream.add(encoded.ids(), words);
            if (addEos) {
                stream.add(eos, Tokenizer.NO_WORD);
            }
        }
        List<MlmExample> examples = new ArrayList<>();
        for (int[] r : Chunking.ranges(stream.length(), maxSeqLen)) {
            examples.add(new MlmExample(stream.ids(r[0], r[1]), stream.words(r[0], r[1])));
        }
        return new MlmDataset(List.copyOf(examples), maxSeqLen);
    }

    /** Number of examples. */
    public int size() {
        return examples.size();
    }

    /** Chunk length used to build this data set. */
    public int maxSeqLen() {
        return maxSeqLen;
    }

    /** Example {@code i} (arrays are shared: do not modify). */
    public MlmExample example(int i) {
        return examples.get(i);
    }

    /** The examples at the given indices, in that order. */
    public List<MlmExample> examples(int[] indices) {
        List<MlmExample> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(examples.get(i));
        }
        return out;
    }
}
