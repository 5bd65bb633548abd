package dev.perceiver.train.data;

/**
 * The tokenizer view the text data pipelines need. Implementations (for instance an adapter around the
 * UTF-8 bytes tokenizer of the core module) must be deterministic and thread-safe for {@link #encode}.
 */
public interface TextTokenizer {
    /**
     * Encodes text to token ids without adding any special tokens.
     *
     * @return ids of shape {@code (numTokens)}, each in {@code 0..vocabSize()-1}
     */
    long[] encode(String text);

    /** Number of token ids; ids lie in {@code 0..vocabSize()-1}. */
    int vocabSize();

    /** Id of the padding token. */
    int padId();

    /** Id of the mask token used for masked language modelling. */
    int maskId();

    /** Id of the end-of-sequence token used to separate documents for causal language modelling. */
    int eosId();

    /** Whether {@code id} is a special token (never selected for masking, no word). */
    boolean isSpecial(long id);

    /**
     * Whether {@code id} is a pure whitespace token; used to find word boundaries for whole-word masking
     * (whitespace belongs to the word that follows it).
     */
    boolean isWhitespace(long id);
}
