package dev.perceiver.inference.tokenizer;

import dev.perceiver.model.io.FolderFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Text to token ids and back, for the pipelines, the training data and the command line. Two implementations: the
 * Perceiver UTF-8 bytes tokenizer ({@link BytesTokenizer}, 262 ids, Hugging Face's {@code PerceiverTokenizer}) and any
 * Hugging Face fast tokenizer ({@link HuggingFaceFastTokenizer}, a {@code tokenizer.json}). {@link #forModelFolder}
 * picks one by the files of a model folder, {@link #open} by the reference's {@code --data.tokenizer} value.
 * Encoding and decoding change no state, so one instance serves several threads.
 */
public interface Tokenizer extends AutoCloseable {
    /** File name of a Hugging Face fast tokenizer. */
    String TOKENIZER_JSON = "tokenizer.json";
    /** File name of the tokenizer options written by Hugging Face's {@code save_pretrained}. */
    String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** File name of the special tokens written by Hugging Face's {@code save_pretrained}. */
    String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    /** The reference's name of the UTF-8 bytes tokenizer (the Hugging Face model it comes with). */
    String BYTES_TOKENIZER_NAME = "deepmind/language-perceiver";
    /** Word id of a token that belongs to no word (special tokens). */
    int NO_WORD = -1;

    /**
     * The tokenizer of a model folder: {@code tokenizer.json} present -> Hugging Face tokenizer; otherwise the
     * Perceiver UTF-8 bytes tokenizer (the reference's {@code PerceiverTokenizer}, which has no vocabulary file),
     * provided the folder's {@code tokenizer_config.json}, {@code special_tokens_map.json} and {@code config.json},
     * where present, describe that tokenizer.
     *
     * @throws IOException naming the file and entry when the folder's files describe another tokenizer
     */
    static Tokenizer forModelFolder(Path dir) throws IOException {
        Path json = FolderFiles.confined(dir, TOKENIZER_JSON);
        if (Files.isRegularFile(json)) {
            return HuggingFaceFastTokenizer.load(json);
        }
        BytesTokenizerFiles.check(dir);
        return new BytesTokenizer();
    }

    /**
     * The tokenizer named by a {@code --data.tokenizer} value: {@value #BYTES_TOKENIZER_NAME} (the reference's name)
     * or {@code bytes} -> the UTF-8 bytes tokenizer; a {@code tokenizer.json} file, or a folder holding one, -> that
     * Hugging Face tokenizer (special token roles from the {@code special_tokens_map.json} /
     * {@code tokenizer_config.json} beside it).
     *
     * @throws NoSuchFileException if the value is neither a known name nor an existing file or folder
     */
    static Tokenizer open(String nameOrPath) throws IOException {
        if (nameOrPath.equals(BYTES_TOKENIZER_NAME) || nameOrPath.equals("bytes")) {
            return new BytesTokenizer();
        }
        Path p = Path.of(nameOrPath);
        if (Files.isDirectory(p)) {
            p = p.resolve(TOKENIZER_JSON);
        }
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(
                    p.toString(),
                    null,
                    "tokenizer '" + nameOrPath + "' is neither " + BYTES_TOKENIZER_NAME
                            + " (the bytes tokenizer) nor a tokenizer.json file or a folder holding one");
        }
        return HuggingFaceFastTokenizer.load(p);
    }

    /**
     * @param addSpecialTokens whether to add the tokens the tokenizer adds around a single text (e.g.
     *        {@code [CLS] ... [SEP]})
     * @return token ids, shape (n), each in [0, vocab_size)
     */
    long[] encode(String text, boolean addSpecialTokens);

    /**
     * Encodes a text with the word of every token, for whole-word masking.
     *
     * @return ids and word ids, both of shape (n)
     */
    EncodedText encodeWithWordIds(String text, boolean addSpecialTokens);

    /**
     * Text of token ids (shape (n), each in [0, vocab_size)); special tokens are dropped when
     * {@code skipSpecialTokens}.
     *
     * @throws IllegalArgumentException naming the first id outside [0, vocab_size)
     */
    String decode(long[] ids, boolean skipSpecialTokens);

    /** Number of ids: every id lies in [0, vocab_size). */
    int vocabSize();

    /** Id of the token with a special role, if the tokenizer has one. */
    OptionalLong tokenId(SpecialToken role);

    /** Text of the token with a special role (e.g. {@code [MASK]}, {@code <mask>}), if the tokenizer has one. */
    Optional<String> token(SpecialToken role);

    /** Id of the padding token; without one the EOS token pads (as Hugging Face generation does), else id 0. */
    default long padTokenId() {
        OptionalLong pad = tokenId(SpecialToken.PAD);
        if (pad.isPresent()) {
            return pad.getAsLong();
        }
        return tokenId(SpecialToken.EOS).orElse(0);
    }

    /**
     * Id of a special role the caller cannot do without.
     *
     * @param purpose what needs it, for the error (e.g. "fill-mask")
     * @throws IllegalArgumentException if the tokenizer has no token of that role
     */
    default long requireTokenId(SpecialToken role, String purpose) {
        OptionalLong id = tokenId(role);
        if (id.isEmpty()) {
            throw new IllegalArgumentException(
                    "the tokenizer has no " + role.key() + " (" + role + " token); " + purpose + " needs one");
        }
        return id.getAsLong();
    }

    /** Whether {@code id} is a special token (padding, mask, sequence markers, unknown). */
    boolean isSpecial(long id);

    /** Hugging Face tokenizer class name for {@code config.json} ({@code tokenizer_class}), or null. */
    String tokenizerClass();

    /** Writes the tokenizer files into a model folder (atomically) so that the folder loads with this tokenizer. */
    void save(Path dir) throws IOException;

    /** Frees native resources, if any. */
    @Override
    void close();
}
