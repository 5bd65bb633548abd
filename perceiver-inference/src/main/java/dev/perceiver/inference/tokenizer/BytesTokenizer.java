package dev.perceiver.inference.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The Perceiver IO UTF-8 bytes tokenizer (behaviour of Hugging Face's {@code PerceiverTokenizer}).
 *
 * <p>The vocabulary has {@value #VOCAB_SIZE} entries: six special tokens
 * {@code [PAD]=0, [BOS]=1, [EOS]=2, [MASK]=3, [CLS]=4, [SEP]=5}, followed by the 256 byte values,
 * where byte {@code b} (0..255) has id {@code b + 6}. Text is encoded as its UTF-8 bytes; the
 * literal strings of the special tokens inside a text (for example {@code "[MASK]"}) are recognised
 * and encoded as their single special id. With special tokens added, a sequence becomes
 * {@code [CLS] ids [SEP]}.
 *
 * <p>Decoding turns byte ids back into bytes and decodes them as UTF-8 leniently: every malformed
 * sequence becomes U+FFFD (maximal-subpart rule, as Python's {@code errors="replace"}), so decoding
 * never fails on model output. Unlike the Hugging Face default, no "tokenization space clean-up"
 * is applied, so {@code decode(encode(s))} returns {@code s} for every well-formed string.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BytesTokenizer {

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

    /** Special token strings, indexed by their id. */
    public static final List<String> SPECIAL_TOKENS = List.of("[PAD]", "[BOS]", "[EOS]", "[MASK]", "[CLS]", "[SEP]");

    private static final String WHITESPACE = " \t\n\r\u000b\f";

    /** Which end of a sequence receives padding. */
    public enum PaddingSide {
        /** Padding is put before the tokens (as used for causal generation). */
        LEFT,
        /** Padding is appended after the tokens (the Hugging Face default). */
        RIGHT
    }

    /** Creates a tokenizer; all state is constant. */
    public BytesTokenizer() {}

    /** @return the vocabulary size, {@value #VOCAB_SIZE} */
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    // ------------------------------------------------------------------------------------------
    // Encoding
    // ------------------------------------------------------------------------------------------

    /**
     * Encodes a text into token ids without adding {@code [CLS]}/{@code [SEP]}.
     *
     * @param text the text; special token strings inside it map to their ids
     * @return one id per UTF-8 byte (byte + 6), or the special id for a special token string
     * @throws IllegalArgumentException if the text contains an unpaired surrogate
     */
    public long[] encode(String text) {
        return encode(text, false);
    }

    /**
     * Encodes a text into token ids, without truncation.
     *
     * @param text the text; special token strings inside it map to their ids
     * @param addSpecialTokens if true, the result is {@code [CLS] ids [SEP]}
     * @return the token ids
     * @throws IllegalArgumentException if the text contains an unpaired surrogate
     */
    public long[] encode(String text, boolean addSpecialTokens) {
        return encode(text, addSpecialTokens, Integer.MAX_VALUE);
    }

    /**
     * Encodes a text into token ids and truncates it to at most {@code maxLength} ids.
     *
     * <p>Truncation drops ids from the end of the text; the special tokens (when added) are kept, so
     * the text part is cut to {@code maxLength - 2} ids.
     *
     * @param text the text; special token strings inside it map to their ids
     * @param addSpecialTokens if true, the result is {@code [CLS] ids [SEP]}
     * @param maxLength the maximum number of ids in the result ({@code Integer.MAX_VALUE} for none)
     * @return the token ids, at most {@code maxLength} of them
     * @throws IllegalArgumentException if {@code maxLength} is too small to hold the special tokens
     *     (or below 1), or if the text contains an unpaired surrogate
     */
    public long[] encode(String text, boolean addSpecialTokens, int maxLength) {
        Objects.requireNonNull(text, "text");
        int specials = addSpecialTokens ? 2 : 0;
        if (maxLength < Math.max(1, specials)) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is too small: it must be at least "
                    + Math.max(1, specials) + (addSpecialTokens ? " to hold [CLS] and [SEP]" : ""));
        }
        long[] body = tokenize(text);
        int keep = (int) Math.min(body.length, (long) maxLength - specials);
        if (!addSpecialTokens) {
            return keep == body.length ? body : Arrays.copyOf(body, keep);
        }
        long[] out = new long[keep + 2];
        out[0] = CLS_ID;
        System.arraycopy(body, 0, out, 1, keep);
        out[keep + 1] = SEP_ID;
        return out;
    }

    /**
     * Encodes several texts, truncates each to {@code maxLength} ids and pads them to the longest.
     *
     * @param texts the texts to encode
     * @param addSpecialTokens if true, each row is {@code [CLS] ids [SEP]} before padding
     * @param maxLength the maximum length of each row ({@code Integer.MAX_VALUE} for none)
     * @param side where the padding goes
     * @return the padded ids and the attention mask (1 = token, 0 = pad)
     * @throws IllegalArgumentException as {@link #encode(String, boolean, int)}
     */
    public Encoding encodeBatch(List<String> texts, boolean addSpecialTokens, int maxLength, PaddingSide side) {
        Objects.requireNonNull(texts, "texts");
        List<long[]> rows = new ArrayList<>(texts.size());
        for (String text : texts) {
            rows.add(encode(text, addSpecialTokens, maxLength));
        }
        return pad(rows, side);
    }

    /**
     * Encodes several texts without truncation and pads them to the longest.
     *
     * @param texts the texts to encode
     * @param addSpecialTokens if true, each row is {@code [CLS] ids [SEP]} before padding
     * @param side where the padding goes
     * @return the padded ids and the attention mask (1 = token, 0 = pad)
     */
    public Encoding encodeBatch(List<String> texts, boolean addSpecialTokens, PaddingSide side) {
        return encodeBatch(texts, addSpecialTokens, Integer.MAX_VALUE, side);
    }

    /**
     * Pads id sequences with {@link #PAD_ID} to the length of the longest one.
     *
     * @param sequences the id sequences (each id must be in the vocabulary)
     * @param side where the padding goes
     * @return the padded ids and the attention mask (1 = token, 0 = pad)
     * @throws IllegalArgumentException if an id is outside {@code [0, 262)}
     */
    public Encoding pad(List<long[]> sequences, PaddingSide side) {
        int longest = 0;
        for (long[] seq : sequences) {
            longest = Math.max(longest, seq.length);
        }
        return pad(sequences, side, longest);
    }

    /**
     * Pads id sequences with {@link #PAD_ID} to a fixed length.
     *
     * @param sequences the id sequences (each id must be in the vocabulary)
     * @param side where the padding goes
     * @param length the length of every output row; must be at least the longest sequence
     * @return the padded ids and the attention mask (1 = token, 0 = pad)
     * @throws IllegalArgumentException if a sequence is longer than {@code length} or holds an id
     *     outside {@code [0, 262)}
     */
    public Encoding pad(List<long[]> sequences, PaddingSide side, int length) {
        Objects.requireNonNull(sequences, "sequences");
        Objects.requireNonNull(side, "side");
        long[][] ids = new long[sequences.size()][length];
        long[][] mask = new long[sequences.size()][length];
        for (int i = 0; i < sequences.size(); i++) {
            long[] seq = Objects.requireNonNull(sequences.get(i), "sequence " + i);
            if (seq.length > length) {
                throw new IllegalArgumentException(
                        "sequence " + i + " has " + seq.length + " ids, more than the padded length " + length);
            }
            checkIds(seq);
            int offset = side == PaddingSide.LEFT ? length - seq.length : 0;
            System.arraycopy(seq, 0, ids[i], offset, seq.length);
            Arrays.fill(mask[i], offset, offset + seq.length, 1L);
        }
        return new Encoding(ids, mask);
    }

    // ------------------------------------------------------------------------------------------
    // Decoding
    // ------------------------------------------------------------------------------------------

    /**
     * Decodes token ids into text; special tokens appear as their strings (e.g. {@code "[SEP]"}).
     *
     * @param ids token ids in {@code [0, 262)}
     * @return the decoded text; malformed UTF-8 becomes U+FFFD
     * @throws IllegalArgumentException if an id is outside {@code [0, 262)}
     */
    public String decode(long[] ids) {
        return decode(ids, false);
    }

    /**
     * Decodes token ids into text.
     *
     * @param ids token ids in {@code [0, 262)}
     * @param skipSpecialTokens if true, ids 0..5 are dropped; otherwise they appear as their strings
     * @return the decoded text; malformed UTF-8 becomes U+FFFD
     * @throws IllegalArgumentException if an id is outside {@code [0, 262)}
     */
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

    /**
     * Decodes every row of a batch; padding is removed by {@code skipSpecialTokens}.
     *
     * @param ids rows of token ids in {@code [0, 262)}
     * @param skipSpecialTokens if true, ids 0..5 (including {@code [PAD]}) are dropped
     * @return one decoded text per row
     * @throws IllegalArgumentException if an id is outside {@code [0, 262)}
     */
    public List<String> decodeBatch(long[][] ids, boolean skipSpecialTokens) {
        List<String> out = new ArrayList<>(ids.length);
        for (long[] row : ids) {
            out.add(decode(row, skipSpecialTokens));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // Vocabulary helpers
    // ------------------------------------------------------------------------------------------

    /**
     * Tells whether an id is one of the six special tokens.
     *
     * @param id a token id in {@code [0, 262)}
     * @return true for ids 0..5
     * @throws IllegalArgumentException if the id is outside {@code [0, 262)}
     */
    public boolean isSpecialToken(long id) {
        checkId(id, -1);
        return id < NUM_SPECIAL_TOKENS;
    }

    /**
     * Tells whether an id is a whitespace byte (space, tab, newline, carriage return, vertical tab,
     * form feed), the word boundaries of {@link #wordIds(long[])}.
     *
     * @param id a token id in {@code [0, 262)}
     * @return true for the ids of the six ASCII whitespace bytes
     * @throws IllegalArgumentException if the id is outside {@code [0, 262)}
     */
    public boolean isWhitespace(long id) {
        checkId(id, -1);
        return id >= NUM_SPECIAL_TOKENS && WHITESPACE.indexOf((int) (id - NUM_SPECIAL_TOKENS)) >= 0;
    }

    /**
     * Maps an id to its token string: the special token string, or a one-character string holding
     * the byte value as a char in {@code U+0000..U+00FF} (as Hugging Face does).
     *
     * @param id a token id in {@code [0, 262)}
     * @return the token string
     * @throws IllegalArgumentException if the id is outside {@code [0, 262)}
     */
    public String idToToken(long id) {
        checkId(id, -1);
        if (id < NUM_SPECIAL_TOKENS) {
            return SPECIAL_TOKENS.get((int) id);
        }
        return String.valueOf((char) (id - NUM_SPECIAL_TOKENS));
    }

    /**
     * Maps a token string back to its id; inverse of {@link #idToToken(long)}.
     *
     * @param token a special token string or a single char in {@code U+0000..U+00FF}
     * @return the token id
     * @throws IllegalArgumentException if the string is not a token of this vocabulary
     */
    public long tokenToId(String token) {
        int special = SPECIAL_TOKENS.indexOf(token);
        if (special >= 0) {
            return special;
        }
        if (token.length() == 1 && token.charAt(0) < 256) {
            return token.charAt(0) + NUM_SPECIAL_TOKENS;
        }
        throw new IllegalArgumentException("'" + token + "' is not a token of the bytes vocabulary "
                + "(expected a special token or a single char in U+0000..U+00FF)");
    }

    /**
     * Assigns word ids to a token sequence, using whitespace bytes as word boundaries (as the
     * reference's whole-word masking does). Whitespace before a word shares that word's id; special
     * tokens get {@code -1}. Distinct words get distinct ids, not necessarily consecutive ones.
     *
     * @param ids token ids in {@code [0, 262)}
     * @return one word id per token, {@code -1} for special tokens
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
                out[i] = -1;
                current++;
            } else if (isWhitespace(id)) {
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

    // ------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------

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
