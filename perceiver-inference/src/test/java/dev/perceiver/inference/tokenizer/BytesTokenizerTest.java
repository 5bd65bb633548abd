package dev.perceiver.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BytesTokenizerTest {
    private final BytesTokenizer tok = new BytesTokenizer();

    @TempDir
    Path tmp;

    /** The ids Hugging Face's own PerceiverTokenizer tests expect (tests/models/perceiver). */
    @Test
    void idsEqualThoseOfTheReferencePerceiverTokenizer() {
        assertThat(tok.encode("Unicode €.", true))
                .containsExactly(4, 91, 116, 111, 105, 117, 106, 107, 38, 232, 136, 178, 52, 5);
        assertThat(tok.encode("e è é ê ë", true))
                .containsExactly(4, 107, 38, 201, 174, 38, 201, 175, 38, 201, 176, 38, 201, 177, 5);
        assertThat(tok.encode("A long paragraph for summarization.", true))
                .containsExactly(
                        4, 71, 38, 114, 117, 116, 109, 38, 118, 103, 120, 103, 109, 120, 103, 118, 110, 38, 108, 117,
                        120, 38, 121, 123, 115, 115, 103, 120, 111, 128, 103, 122, 111, 117, 116, 52, 5);
        assertThat(tok.decode(tok.encode("Unicode €.", true), false)).isEqualTo("[CLS]Unicode €.[SEP]");
        assertThat(tok.decode(new long[] {178}, false)).isEqualTo("\uFFFD");
    }

    @Test
    void vocabularyAndSpecialTokenRoles() {
        assertThat(tok.vocabSize()).isEqualTo(262);
        assertThat(tok.padTokenId()).isZero();
        assertThat(tok.tokenId(SpecialToken.BOS)).hasValue(1);
        assertThat(tok.tokenId(SpecialToken.EOS)).hasValue(2);
        assertThat(tok.tokenId(SpecialToken.MASK)).hasValue(3);
        assertThat(tok.tokenId(SpecialToken.CLS)).hasValue(4);
        assertThat(tok.tokenId(SpecialToken.SEP)).hasValue(5);
        assertThat(tok.tokenId(SpecialToken.UNK)).isEmpty();
        assertThat(tok.token(SpecialToken.MASK)).hasValue("[MASK]");
        for (int id = 0; id < 262; id++) {
            assertThat(tok.isSpecial(id)).isEqualTo(id < 6);
        }
        assertThatThrownBy(() -> tok.requireTokenId(SpecialToken.UNK, "this test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unk_token")
                .hasMessageContaining("this test");
    }

    @Test
    void multiByteUtf8AndSpecialTokenStringsRoundTrip() {
        String text = "héllo 日本 🙂";
        long[] ids = tok.encode(text, false);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(ids).hasSize(utf8.length);
        for (int i = 0; i < utf8.length; i++) {
            assertThat(ids[i]).isEqualTo((utf8[i] & 0xFF) + 6L);
        }
        assertThat(tok.decode(ids, false)).isEqualTo(text);
        assertThat(tok.decode(tok.encode(text, true), true)).isEqualTo(text);

        long[] special = tok.encode("a[MASK]b[SEP][PAD][CLS]", false);
        assertThat(special).containsExactly('a' + 6, 3, 'b' + 6, 5, 0, 4);
        assertThat(tok.encode("[MAS]", false)).containsExactly('[' + 6, 'M' + 6, 'A' + 6, 'S' + 6, ']' + 6);
        assertThat(tok.encode("[[MASK]", false)).containsExactly('[' + 6, 3);
        assertThat(tok.decode(special, true)).isEqualTo("ab");
        assertThat(tok.encode("", true)).containsExactly(4, 5);
    }

    @Test
    void invalidUtf8DecodesWithOneReplacementPerMaximalSubpart() {
        assertThat(tok.decode(bytes(0x61, 0xE6, 0x97, 0x62), false)).isEqualTo("a\uFFFDb");
        assertThat(tok.decode(bytes(0x80, 0x80), false)).isEqualTo("\uFFFD\uFFFD");
        assertThat(tok.decode(bytes(0xC0, 0xAF), false)).isEqualTo("\uFFFD\uFFFD");
        assertThat(tok.decode(bytes(0xED, 0xA0, 0x80), false)).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(tok.decode(bytes(0xF0, 0x9F, 0x99, 0x78), false)).isEqualTo("\uFFFDx");
        assertThat(tok.decode(new long[] {0xE6 + 6, 3, 0x97 + 6}, false)).isEqualTo("\uFFFD[MASK]\uFFFD");
        for (int b = 0; b < 256; b++) {
            assertThat(tok.decode(bytes(b), false)).hasSize(1);
        }
    }

    @Test
    void badInputsNameTheirValue() {
        assertThatThrownBy(() -> tok.decode(new long[] {10, 262}, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("262")
                .hasMessageContaining("position 1")
                .hasMessageContaining("[0, 262)");
        assertThatThrownBy(() -> tok.isSpecial(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> tok.encode("ab\uD83D", false)).hasMessageContaining("index 2");
    }

    /** The reference's whitespace rule (PerceiverTokenizerUtil.word_ids): whitespace joins the word after it. */
    @Test
    void wordIdsFollowWhitespaceBoundaries() {
        EncodedText e = tok.encodeWithWordIds(" ab  cd e", false);
        assertThat(e.ids()).containsExactly(tok.encode(" ab  cd e", false));
        assertThat(e.wordIds()).containsExactly(1, 1, 1, 2, 2, 2, 2, 3, 3);
        EncodedText special = tok.encodeWithWordIds("a[SEP]b c", true);
        // [CLS] a [SEP] b ' ' c [SEP]
        int[] w = special.wordIds();
        assertThat(w[0]).isEqualTo(Tokenizer.NO_WORD);
        assertThat(w[2]).isEqualTo(Tokenizer.NO_WORD);
        assertThat(w[6]).isEqualTo(Tokenizer.NO_WORD);
        assertThat(w[3]).isGreaterThan(w[1]);
        assertThat(w[4]).isEqualTo(w[5]).isGreaterThan(w[3]);
        assertThat(tok.wordIds(bytes('\t', 'x', '\n', 'y'))).containsExactly(1, 1, 2, 2);
    }

    @Test
    void savesTheFilesOfHuggingFacesPerceiverTokenizer() throws Exception {
        tok.save(tmp);
        ObjectMapper json = new ObjectMapper();
        JsonNode config = json.readTree(tmp.resolve("tokenizer_config.json").toFile());
        assertThat(config.get("tokenizer_class").asText()).isEqualTo("PerceiverTokenizer");
        assertThat(config.get("model_max_length").asInt()).isEqualTo(2048);
        assertThat(config.get("mask_token").get("__type").asText()).isEqualTo("AddedToken");
        JsonNode map = json.readTree(tmp.resolve("special_tokens_map.json").toFile());
        for (SpecialToken role : SpecialToken.values()) {
            if (role != SpecialToken.UNK) {
                assertThat(map.get(role.key()).get("content").asText())
                        .as(role.key())
                        .isEqualTo(tok.token(role).orElseThrow())
                        .isEqualTo(config.get(role.key()).get("content").asText());
            }
        }
        assertThat(Files.exists(tmp.resolve("tokenizer.json"))).isFalse();
        try (Tokenizer t = Tokenizer.forModelFolder(tmp)) {
            assertThat(t).isInstanceOf(BytesTokenizer.class);
        }
    }

    /** The files krasserm's published text folders carry (plain-text tokens, no tokenizer.json). */
    @Test
    void plainTextTokenizerFilesOfPublishedFoldersMeanTheBytesTokenizer() throws Exception {
        Files.writeString(
                tmp.resolve("special_tokens_map.json"),
                "{\"pad_token\": \"[PAD]\", \"bos_token\": \"[BOS]\", \"eos_token\": \"[EOS]\","
                        + " \"mask_token\": \"[MASK]\", \"cls_token\": \"[CLS]\", \"sep_token\": \"[SEP]\"}");
        Files.writeString(
                tmp.resolve("tokenizer_config.json"),
                "{\"model_max_length\": 2048, \"mask_token\": \"[MASK]\", \"tokenizer_class\": \"PerceiverTokenizer\"}");
        try (Tokenizer t = Tokenizer.forModelFolder(tmp)) {
            assertThat(t).isInstanceOf(BytesTokenizer.class);
            assertThat(t.tokenId(SpecialToken.MASK)).hasValue(3);
        }
    }

    @Test
    void tokenizerFilesOfAnotherTokenizerWithoutTokenizerJsonAreRefusedNamingTheEntry() throws Exception {
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"BertTokenizer\"}");
        assertThatThrownBy(() -> Tokenizer.forModelFolder(tmp))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(
                        "tokenizer_config.json: tokenizer_class \"BertTokenizer\" needs its tokenizer.json");

        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"PerceiverTokenizer\"}");
        Files.writeString(tmp.resolve("special_tokens_map.json"), "{\"mask_token\": {\"content\": \"<mask>\"}}");
        assertThatThrownBy(() -> Tokenizer.forModelFolder(tmp))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(
                        "special_tokens_map.json: mask_token '<mask>' is not a token of PerceiverTokenizer"
                                + " (its mask_token: '[MASK]')");

        Files.writeString(tmp.resolve("special_tokens_map.json"), "{\"unk_token\": \"[UNK]\"}");
        assertThatThrownBy(() -> Tokenizer.forModelFolder(tmp))
                .hasMessageContaining("unk_token '[UNK]' is not a token of PerceiverTokenizer (its unk_token: none)");
    }

    private static long[] bytes(int... values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] + 6L;
        }
        return out;
    }
}
