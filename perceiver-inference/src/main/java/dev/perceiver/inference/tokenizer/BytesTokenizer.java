package dev.perceiver.inference.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The Perceiver IO UTF-8 bytes tokenizer, with the ids of Hugging Face's {@code PerceiverTokenizer} (the reference's
 * {@code deepmind/language-perceiver} tokenizer).
 *
 * <p>The vocabulary has {@value #VOCAB_SIZE} entries: six special tokens
 * {@code [PAD]=0, [BOS]=1, [EOS]=2, [MASK]=3, [CLS]=4, [SEP]=5}, followed by the 256 byte values, where byte
 * {@code b} (0..255) has id {@code b + 6}. Text is encoded as its UTF-8 bytes; the literal strings of the special
 * tokens inside a text (for example {@code "[MASK]"}) are recognised and encoded as their single special id. With
 * special tokens added, a sequence becomes {@code [CLS] ids [SEP]}. One {@code [MASK]} stands for one byte.
 *
 * <p>Decoding turns byte ids back into bytes and decodes them as UTF-8 leniently: every malformed sequence becomes
 * U+FFFD (maximal-subpart rule, as Python's {@code errors="replace"}), so decoding never fails on model output. Unlike
 * the Hugging Face default, no "tokenization space clean-up" is applied, so {@code decode(encode(s))} returns
 * {@code s} for every well-formed string.
 *
 * <p>Word ids ({@link #wordIds}) follow whitespace boundaries, as the reference's whole-word masking does for this
 * tokenizer. {@link #save} writes the {@code tokenizer_config.json} and {@code special_tokens_map.json} of
 * {@code PerceiverTokenizer.save_pretrained}, so a model folder saved with it loads with
 * {@code AutoTokenizer.from_pretrained}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BytesTokenizer implements Tokenizer {

    /** Id of the padding token {@code [PAD]}. */
    public static final int PAD_ID = 0;
    /** Id of the begin-of-sequence token {@code [BOS]}. */
    public static final int BOS_ID = 1;
    /** Id of the end-of-sequence token {@code [EOS]}. */
    public static final int EOS_ID = 2;
    /** Id of the mask token {@code [MASK]}. */
    public static final int MASK_ID = 3;
    /** Id of the classification token {@code [CLS]}, prepended by {@code addSpecialTokens}. */
    public static final int CLS_ID = 4;
    /** Id of the separator token {@code [SEP]}, appended by {@code addSpecialTokens}. */
    public static final int SEP_ID = 5;
    /** Number of special tokens; also the offset added to every byte value. */
    public static final int NUM_SPECIAL_TOKENS = 6;
    /** Total vocabulary size: 6 special tokens + 256 byte values. */
    public static final int VOCAB_SIZE = NUM_SPECIAL_TOKENS + 256;
    /** Maximum sequence length of the pretrained Perceiver IO language model. */
    public static final int MODEL_MAX_LENGTH = 2048;
    /** Hugging Face class name of this tokenizer. */
    public static final String CLASS_NAME = "PerceiverTokenizer";

    /** Special token strings, indexed by their id. */
    public static final List<String> SPECIAL_TOKENS = List.of("[PAD]", "[BOS]", "[EOS]", "[MASK]", "[CLS]", "[SEP]");

    private static final String WHITESPACE = " \t\n\r\u000b\f";

    /** Creates a tokenizer; all state is constant. */
    public BytesTokenizer() {}

    /** @return the vocabulary size, {@value #VOCAB_SIZE} */
    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    /**
     * Encodes a text into token ids.
     *
     * @param text the text; special token strings inside it map to their ids
     * @param addSpecialTokens if true, the result is {@code [CLS] ids [SEP]}
     * @return one id per UTF-8 byte (byte + 6), or the special id for a special token string
     * @throws IllegalArgumentException if the text contains an unpaired surrogate
     */
    @Override
    public long[] encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        long[] body = tokenize(text);
        if (!addSpecialTokens) {
            return body;
        }
        long[] out = new long[body.length + 2];
        out[0] = CLS_ID;
        System.arraycopy(body, 0, out, 1, body.length);
        out[body.length + 1] = SEP_ID;
        return out;
    }

    @Override
    public EncodedText encodeWithWordIds(String text, boolean addSpecialTokens) {
        long[] ids = encode(text, addSpecialTokens);
        return new EncodedText(ids, wordIds(ids));
    }

    /**
     * Decodes token ids into text.
     *
     * @param ids token ids in {@code [0, 262)}
     * @param skipSpecialTokens if true, ids 0..5 are dropped; otherwise they appear as their strings
     * @return the decoded text; malformed UTF-8 becomes U+FFFD
     * @throws IllegalArgumentException if an id is outside {@code [0, 262)}
     */
    @Override
    public String decode(long[] ids, boolean skipSpecialTokens) {
        Objects.requireNonNull(ids, "ids");
        checkIds(ids);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
        for (long id : ids) {
            if (id >= NUM_SPECIAL_TOKENS) {
                bytes.write((int) (id - NUM_SPECIAL_TOKENS));
            } else if (!skipSpecialTokens) {
                bytes.writeBytes(SPECIAL_TOKENS.get((int) id).getBytes(StandardCharsets.UTF_8));
            }
        }
        return decodeUtf8Lenient(bytes.toByteArray());
    }

    /** All roles but {@code UNK} (every byte is in the vocabulary). */
    @Override
    public OptionalLong tokenId(SpecialToken role) {
        return switch (role) {
            case PAD -> OptionalLong.of(PAD_ID);
            case BOS -> OptionalLong.of(BOS_ID);
            case EOS -> OptionalLong.of(EOS_ID);
            case MASK -> OptionalLong.of(MASK_ID);
            case CLS -> OptionalLong.of(CLS_ID);
            case SEP -> OptionalLong.of(SEP_ID);
            case UNK -> OptionalLong.empty();
        };
    }

    @Override
    public Optional<String> token(SpecialToken role) {
        OptionalLong id = tokenId(role);
        return id.isPresent() ? Optional.of(SPECIAL_TOKENS.get((int) id.getAsLong())) : Optional.empty();
    }

    /**
     * Tells whether an id is one of the six special tokens.
     *
     * @param id a token id in {@code [0, 262)}
     * @return true for ids 0..5
     * @throws IllegalArgumentException if the id is outside {@code [0, 262)}
     */
    @Override
    public boolean isSpecial(long id) {
        checkId(id, -1);
        return id < NUM_SPECIAL_TOKENS;
    }

    @Override
    public String tokenizerClass() {
        return CLASS_NAME;
    }

    /**
     * Assigns word ids to a token sequence, using whitespace bytes (space, tab, newline, carriage return, vertical
     * tab, form feed) as word boundaries, as the reference's whole-word masking does for this tokenizer: whitespace
     * before a word shares that word's id; special tokens get {@link #NO_WORD}. Distinct words get distinct ids, not
     * necessarily consecutive ones.
     *
     * @param ids token ids in {@code [0, 262)}, shape (n)
     * @return one word id per token, shape (n), {@link #NO_WORD} for special tokens
     * @throws IllegalArgumentException if an id is outside {@code [0, 262)}
     */
    public int[] wordIds(long[] ids) {
        checkIds(ids);
        int[] out = new int[ids.length];
        int current = 0;
        boolean inWord = true;
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (id < NUM_SPECIAL_TOKENS) {
                out[i] = NO_WORD;
                current++;
            } else if (WHITESPACE.indexOf((int) (id - NUM_SPECIAL_TOKENS)) >= 0) {
                if (inWord) {
                    inWord = false;
                    current++;
                }
                out[i] = current;
            } else {
                inWord = true;
                out[i] = current;
            }
        }
        return out;
    }

    /**
     * Writes the files of Hugging Face's {@code PerceiverTokenizer.save_pretrained}: {@code tokenizer_config.json}
     * (class, special tokens, model_max_length) and {@code special_tokens_map.json}.
     */
    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode config = ConfigJson.MAPPER.createObjectNode();
        ObjectNode map = ConfigJson.MAPPER.createObjectNode();
        SpecialToken[] roles = {
            SpecialToken.BOS, SpecialToken.CLS, SpecialToken.EOS, SpecialToken.MASK, SpecialToken.PAD, SpecialToken.SEP
        };
        for (SpecialToken role : roles) {
            String content = token(role).orElseThrow();
            ObjectNode typed = config.putObject(role.key());
            typed.put("__type", "AddedToken");
            addedToken(typed, content);
            addedToken(map.putObject(role.key()), content);
            if (role == SpecialToken.MASK) {
                config.put("model_max_length", MODEL_MAX_LENGTH);
            }
        }
        config.put("tokenizer_class", CLASS_NAME);
        AtomicFiles.writeString(dir.resolve(TOKENIZER_CONFIG), ConfigJson.toString(config) + "\n");
        AtomicFiles.writeString(dir.resolve(SPECIAL_TOKENS_MAP), ConfigJson.toString(map) + "\n");
    }

    private static void addedToken(ObjectNode node, String content) {
        node.put("content", content);
        node.put("lstrip", false);
        node.put("normalized", true);
        node.put("rstrip", false);
        node.put("single_word", false);
    }

    @Override
    public void close() {
        // nothing to free
    }

    private static long[] tokenize(String text) {
        long[] out = new long[Math.max(16, text.length() * 2)];
        int n = 0;
        int segmentStart = 0;
        int i = 0;
        while (i <= text.length()) {
            int special = i < text.length() && text.charAt(i) == '[' ? specialAt(text, i) : -1;
            if (i == text.length() || special >= 0) {
                byte[] bytes = utf8(text, segmentStart, i);
                out = ensure(out, n + bytes.length + 1);
                for (byte b : bytes) {
                    out[n++] = (b & 0xFF) + NUM_SPECIAL_TOKENS;
                }
                if (special < 0) {
                    break;
                }
                out[n++] = special;
                i += SPECIAL_TOKENS.get(special).length();
                segmentStart = i;
            } else {
                i++;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int specialAt(String text, int pos) {
        for (int s = 0; s < SPECIAL_TOKENS.size(); s++) {
            if (text.startsWith(SPECIAL_TOKENS.get(s), pos)) {
                return s;
            }
        }
        return -1;
    }

    private static byte[] utf8(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException(
                        "text contains an unpaired high surrogate at index " + i + "; it cannot be encoded as UTF-8");
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException(
                        "text contains an unpaired low surrogate at index " + i + "; it cannot be encoded as UTF-8");
            }
        }
        return text.substring(from, to).getBytes(StandardCharsets.UTF_8);
    }

    private static long[] ensure(long[] a, int size) {
        return size <= a.length ? a : Arrays.copyOf(a, Math.max(size, a.length * 2));
    }

    private static void checkIds(long[] ids) {
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], i);
        }
    }

    private static void checkId(long id, int position) {
        if (id < 0 || id >= VOCAB_SIZE) {
            throw new IllegalArgumentException("token id " + id + (position >= 0 ? " at position " + position : "")
                    + " is outside the vocabulary range [0, " + VOCAB_SIZE + ")");
        }
    }

    /**
     * Decodes UTF-8 bytes, replacing each maximal ill-formed subpart by one U+FFFD (the Unicode
     * recommended practice, identical to Python's {@code errors="replace"}).
     *
     * @param b the bytes
     * @return the decoded string, never failing
     */
    static String decodeUtf8Lenient(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) {
                sb.append((char) b0);
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) {
                    lo = 0xA0;
                } else if (b0 == 0xED) {
                    hi = 0x9F;
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) {
                    lo = 0x90;
                } else if (b0 == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                sb.append('\uFFFD');
                i++;
                continue;
            }
            int j = 1;
            boolean ok = true;
            for (; j <= need; j++) {
                if (i + j >= b.length) {
                    ok = false;
                    break;
                }
                int bj = b[i + j] & 0xFF;
                int min = j == 1 ? lo : 0x80;
                int max = j == 1 ? hi : 0xBF;
                if (bj < min || bj > max) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (bj & 0x3F);
            }
            if (ok) {
                sb.appendCodePoint(cp);
                i += need + 1;
            } else {
                sb.append('\uFFFD');
                i += j;
            }
        }
        return sb.toString();
    }
}
