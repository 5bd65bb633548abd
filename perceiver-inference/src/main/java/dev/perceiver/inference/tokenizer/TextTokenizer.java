package dev.perceiver.inference.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Text to token ids and back, for the inference pipelines. Two implementations: the Perceiver UTF-8 bytes
 * tokenizer ({@link PerceiverTextTokenizer}) and any Hugging Face fast tokenizer ({@link HuggingFaceTextTokenizer},
 * a {@code tokenizer.json}). {@link #forModelFolder} picks one by the files of a model folder.
 */
public interface TextTokenizer extends AutoCloseable {
    /** File name of a Hugging Face fast tokenizer. */
    String TOKENIZER_JSON = "tokenizer.json";
    /** File name of the tokenizer options written by Hugging Face's {@code save_pretrained}. */
    String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** File name of the special tokens written by Hugging Face's {@code save_pretrained}. */
    String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

    /**
     * The tokenizer of a model folder: {@code tokenizer.json} present -> Hugging Face tokenizer; otherwise the
     * Perceiver UTF-8 bytes tokenizer (the reference's {@code PerceiverTokenizer}, which has no vocabulary file).
     */
    static TextTokenizer forModelFolder(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(TOKENIZER_JSON))) {
            return HuggingFaceTextTokenizer.load(dir);
        }
        return new PerceiverTextTokenizer();
    }

    /**
     * @param addSpecialTokens whether to add the tokens the tokenizer adds around a single text (e.g.
     *        {@code [CLS] ... [SEP]})
     * @return token ids, each in [0, vocab_size)
     */
    long[] encode(String text, boolean addSpecialTokens);

    /** Text of token ids; special tokens are dropped when {@code skipSpecialTokens}. */
    String decode(long[] ids, boolean skipSpecialTokens);

    /** Number of ids: every id lies in [0, vocab_size). */
    int vocabSize();

    /** Id of the padding token. */
    long padTokenId();

    /** Id of the end-of-sequence token, if the tokenizer has one. */
    OptionalLong eosTokenId();

    /** Id of the mask token, if the tokenizer has one. */
    OptionalLong maskTokenId();

    /** Text of the mask token (e.g. {@code [MASK]}, {@code <mask>}), or null. */
    String maskToken();

    /** Whether {@code id} is a special token (padding, mask, sequence markers). */
    boolean isSpecial(long id);

    /** Hugging Face tokenizer class name for {@code config.json} ({@code tokenizer_class}), or null. */
    String tokenizerClass();

    /** Writes the tokenizer files into a model folder (atomically) so that the folder loads with this tokenizer. */
    void save(Path dir) throws IOException;

    /** Frees native resources, if any. */
    @Override
    void close();
}
