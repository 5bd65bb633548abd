package dev.perceiver.inference.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.inference.tokenizer.BytesTokenizer.PaddingSide;
import dev.perceiver.inference.tokenizer.Encoding;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BytesTokenizerTest {

    private final BytesTokenizer tok = new BytesTokenizer();

    @Test
    void vocabularyLayout() {
        assertThat(tok.vocabSize()).isEqualTo(262);
        assertThat(BytesTokenizer.SPECIAL_TOKENS)
                .containsExactly("[PAD]", "[BOS]", "[EOS]", "[MASK]", "[CLS]", "[SEP]");
        assertThat(tok.tokenToId("[MASK]")).isEqualTo(3);
        assertThat(tok.tokenToId("a")).isEqualTo('a' + 6);
        assertThat(tok.idToToken(4)).isEqualTo("[CLS]");
        assertThat(tok.idToToken(261)).isEqualTo("\u00ff");
        for (int id = 0; id < 262; id++) {
            assertThat(tok.tokenToId(tok.idToToken(id))).isEqualTo(id);
            assertThat(tok.isSpecialToken(id)).isEqualTo(id < 6);
        }
        assertThatThrownBy(() -> tok.tokenToId("ab"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ab'");
    }

    @Test
    void asciiEncodesAsBytesPlusSix() {
        assertThat(tok.encode("Hi!")).containsExactly(72 + 6, 105 + 6, 33 + 6);
        assertThat(tok.encode("")).isEmpty();
        assertThat(tok.decode(tok.encode("The quick brown fox."))).isEqualTo("The quick brown fox.");
    }

    @Test
    void specialTokensAreAddedAsClsAndSep() {
        assertThat(tok.encode("ab", true)).containsExactly(4, 'a' + 6, 'b' + 6, 5);
        assertThat(tok.encode("", true)).containsExactly(4, 5);
        assertThat(tok.decode(tok.encode("ab", true))).isEqualTo("[CLS]ab[SEP]");
        assertThat(tok.decode(tok.encode("ab", true), true)).isEqualTo("ab");
    }

    @Test
    void multiByteUtf8RoundTrip() {
        String text = "héllo 日本 🙂";
        long[] ids = tok.encode(text);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(ids).hasSize(utf8.length).hasSize(18);
        for (int i = 0; i < utf8.length; i++) {
            assertThat(ids[i]).isEqualTo((utf8[i] & 0xFF) + 6L);
        }
        // é = C3 A9
        assertThat(ids[1]).isEqualTo(0xC3 + 6);
        assertThat(ids[2]).isEqualTo(0xA9 + 6);
        assertThat(tok.decode(ids)).isEqualTo(text);
        assertThat(tok.decode(tok.encode(text, true), true)).isEqualTo(text);
    }

    @Test
    void specialTokenStringsInTextAreRecognised() {
        long[] ids = tok.encode("a[MASK]b[SEP][PAD][CLS]");
        assertThat(ids).containsExactly('a' + 6, 3, 'b' + 6, 5, 0, 4);
        assertThat(tok.encode("[BOS][EOS]")).containsExactly(1, 2);
        // an incomplete or unknown bracket expression stays bytes
        assertThat(tok.encode("[MAS]")).containsExactly('[' + 6, 'M' + 6, 'A' + 6, 'S' + 6, ']' + 6);
        assertThat(tok.encode("[[MASK]")).containsExactly('[' + 6, 3);
        assertThat(tok.decode(ids)).isEqualTo("a[MASK]b[SEP][PAD][CLS]");
        assertThat(tok.decode(ids, true)).isEqualTo("ab");
    }

    @Test
    void invalidUtf8DecodesWithReplacementCharacters() {
        // truncated 3-byte sequence followed by ASCII
        assertThat(tok.decode(ids(0x61, 0xE6, 0x97, 0x62))).isEqualTo("a\uFFFDb");
        // lone continuation bytes, invalid lead bytes
        assertThat(tok.decode(ids(0x80, 0x80))).isEqualTo("\uFFFD\uFFFD");
        assertThat(tok.decode(ids(0xFF))).isEqualTo("\uFFFD");
        // overlong and surrogate encodings: one replacement per byte (as Python does)
        assertThat(tok.decode(ids(0xC0, 0xAF))).isEqualTo("\uFFFD\uFFFD");
        assertThat(tok.decode(ids(0xED, 0xA0, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(tok.decode(ids(0xF4, 0x90, 0x80, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD");
        // truncated 4-byte emoji at the end
        assertThat(tok.decode(ids(0xF0, 0x9F, 0x99))).isEqualTo("\uFFFD");
        assertThat(tok.decode(ids(0xF0, 0x9F, 0x99, 0x78))).isEqualTo("\uFFFDx");
        // a special token interrupting a multi-byte character
        long[] broken = {0xE6 + 6, 3, 0x97 + 6};
        assertThat(tok.decode(broken)).isEqualTo("\uFFFD[MASK]\uFFFD");
        // every single byte value decodes without exception
        for (int b = 0; b < 256; b++) {
            assertThat(tok.decode(ids(b))).hasSize(1);
        }
    }

    @Test
    void idsOutsideVocabularyAreRejected() {
        assertThatThrownBy(() -> tok.decode(new long[] {10, 262}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("262")
                .hasMessageContaining("position 1")
                .hasMessageContaining("[0, 262)");
        assertThatThrownBy(() -> tok.decode(new long[] {-1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> tok.idToToken(1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1000");
        assertThatThrownBy(() -> tok.pad(List.of(new long[] {5, 300}), PaddingSide.RIGHT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("300");
    }

    @Test
    void unpairedSurrogateCannotBeEncoded() {
        assertThatThrownBy(() -> tok.encode("ab\uD83D"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 2");
    }

    @Test
    void rightPaddingWithMask() {
        Encoding enc = tok.encodeBatch(List.of("abc", "a", ""), false, PaddingSide.RIGHT);
        assertThat(enc.batchSize()).isEqualTo(3);
        assertThat(enc.length()).isEqualTo(3);
        assertThat(enc.ids()[0]).containsExactly('a' + 6, 'b' + 6, 'c' + 6);
        assertThat(enc.ids()[1]).containsExactly('a' + 6, 0, 0);
        assertThat(enc.ids()[2]).containsExactly(0, 0, 0);
        assertThat(enc.attentionMask()[0]).containsExactly(1, 1, 1);
        assertThat(enc.attentionMask()[1]).containsExactly(1, 0, 0);
        assertThat(enc.attentionMask()[2]).containsExactly(0, 0, 0);
        assertThat(tok.decodeBatch(enc.ids(), true)).containsExactly("abc", "a", "");
    }

    @Test
    void leftPaddingWithSpecialTokens() {
        Encoding enc = tok.encodeBatch(List.of("héllo", "hi"), true, PaddingSide.LEFT);
        assertThat(enc.length()).isEqualTo(8); // CLS + 6 bytes + SEP
        assertThat(enc.ids()[1]).containsExactly(0, 0, 0, 0, 4, 'h' + 6, 'i' + 6, 5);
        assertThat(enc.attentionMask()[1]).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
        assertThat(enc.attentionMask()[0]).containsOnly(1);
        assertThat(tok.decodeBatch(enc.ids(), true)).containsExactly("héllo", "hi");
    }

    @Test
    void padToFixedLength() {
        Encoding enc = tok.pad(List.of(new long[] {7, 8}), PaddingSide.RIGHT, 4);
        assertThat(enc).isEqualTo(new Encoding(new long[][] {{7, 8, 0, 0}}, new long[][] {{1, 1, 0, 0}}));
        assertThatThrownBy(() -> tok.pad(List.of(new long[] {7, 8, 9}), PaddingSide.RIGHT, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sequence 0");
    }

    @Test
    void truncation() {
        assertThat(tok.encode("abcdef", false, 3)).containsExactly('a' + 6, 'b' + 6, 'c' + 6);
        assertThat(tok.encode("abcdef", true, 4)).containsExactly(4, 'a' + 6, 'b' + 6, 5);
        assertThat(tok.encode("ab", true, 10)).containsExactly(4, 'a' + 6, 'b' + 6, 5);
        assertThat(tok.encode("abcdef", true, 2)).containsExactly(4, 5);
        // truncation may cut a multi-byte character; decoding stays lenient
        long[] cut = tok.encode("日本", false, 4);
        assertThat(cut).hasSize(4);
        assertThat(tok.decode(cut)).isEqualTo("日\uFFFD");

        Encoding enc = tok.encodeBatch(List.of("abcdef", "ab"), true, 5, PaddingSide.RIGHT);
        assertThat(enc.ids()[0]).containsExactly(4, 'a' + 6, 'b' + 6, 'c' + 6, 5);
        assertThat(enc.ids()[1]).containsExactly(4, 'a' + 6, 'b' + 6, 5, 0);
        assertThat(enc.attentionMask()[1]).containsExactly(1, 1, 1, 1, 0);

        assertThatThrownBy(() -> tok.encode("abc", true, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLength 1");
        assertThatThrownBy(() -> tok.encode("abc", false, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLength 0");
    }

    @Test
    void wordIdsFollowWhitespaceBoundaries() {
        long[] ids = tok.encode("ab  cd e", true);
        int[] words = tok.wordIds(ids);
        assertThat(words).hasSize(ids.length);
        assertThat(words[0]).isEqualTo(-1);
        assertThat(words[ids.length - 1]).isEqualTo(-1);
        // "ab" shares one id, the two spaces belong to "cd", " e" to "e"
        assertThat(words[1]).isEqualTo(words[2]);
        assertThat(words[3])
                .isEqualTo(words[4])
                .isEqualTo(words[5])
                .isEqualTo(words[6])
                .isNotEqualTo(words[2]);
        assertThat(words[7]).isEqualTo(words[8]).isNotEqualTo(words[6]);
        assertThat(tok.isWhitespace(' ' + 6)).isTrue();
        assertThat(tok.isWhitespace('\n' + 6)).isTrue();
        assertThat(tok.isWhitespace('a' + 6)).isFalse();
        assertThat(tok.isWhitespace(0)).isFalse();
    }

    @Test
    void encodingEqualityIsByContentAndShapesAreChecked() {
        Encoding a = new Encoding(new long[][] {{1, 2}}, new long[][] {{1, 1}});
        Encoding b = new Encoding(new long[][] {{1, 2}}, new long[][] {{1, 1}});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThatThrownBy(() -> new Encoding(new long[][] {{1, 2}}, new long[][] {{1}}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long[] ids(int... bytes) {
        long[] out = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] + 6L;
        }
        return out;
    }
}
