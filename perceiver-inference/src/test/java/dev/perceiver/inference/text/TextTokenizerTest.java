package dev.perceiver.inference.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.inference.tokenizer.HuggingFaceTextTokenizer;
import dev.perceiver.inference.tokenizer.PerceiverTextTokenizer;
import dev.perceiver.inference.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderWithoutTokenizerJsonUsesThePerceiverBytesTokenizer() throws Exception {
        try (TextTokenizer t = TextTokenizer.forModelFolder(tmp)) {
            assertThat(t).isInstanceOf(PerceiverTextTokenizer.class);
            assertThat(t.encode("a[MASK]", true)).containsExactly(4, 'a' + 6, 3, 5);
            assertThat(t.decode(new long[] {4, 'h' + 6, 'i' + 6, 5, 0}, true)).isEqualTo("hi");
            assertThat(t.vocabSize()).isEqualTo(262);
            assertThat(t.padTokenId()).isZero();
            assertThat(t.eosTokenId()).hasValue(2);
            assertThat(t.maskTokenId()).hasValue(3);
            assertThat(t.maskToken()).isEqualTo("[MASK]");
        }
    }

    @Test
    void theBytesTokenizerSavesTheFilesOfHuggingFacesPerceiverTokenizer() throws Exception {
        new PerceiverTextTokenizer().save(tmp);
        ObjectMapper json = new ObjectMapper();
        JsonNode config = json.readTree(tmp.resolve("tokenizer_config.json").toFile());
        assertThat(config.get("tokenizer_class").asText()).isEqualTo("PerceiverTokenizer");
        assertThat(config.get("model_max_length").asInt()).isEqualTo(2048);
        assertThat(config.get("mask_token").get("content").asText()).isEqualTo("[MASK]");
        assertThat(config.get("mask_token").get("__type").asText()).isEqualTo("AddedToken");
        JsonNode map = json.readTree(tmp.resolve("special_tokens_map.json").toFile());
        for (String role :
                new String[] {"bos_token", "cls_token", "eos_token", "mask_token", "pad_token", "sep_token"}) {
            assertThat(map.get(role).get("content").asText())
                    .as(role)
                    .isEqualTo(config.get(role).get("content").asText());
        }
        assertThat(map.get("pad_token").get("content").asText()).isEqualTo("[PAD]");
        assertThat(Files.exists(tmp.resolve("tokenizer.json"))).isFalse();
        try (TextTokenizer t = TextTokenizer.forModelFolder(tmp)) {
            assertThat(t).isInstanceOf(PerceiverTextTokenizer.class);
        }
    }

    @Test
    void aFolderWithTokenizerJsonUsesTheHuggingFaceTokenizerAndItsSpecialTokens() throws Exception {
        WordLevelTokenizerFiles.write(tmp);
        try (TextTokenizer t = TextTokenizer.forModelFolder(tmp)) {
            assertThat(t).isInstanceOf(HuggingFaceTextTokenizer.class);
            assertThat(t.encode("The cat sat", true)).containsExactly(2, 5, 6, 7, 3);
            assertThat(t.encode("the [MASK] sat", false)).containsExactly(5, 4, 7);
            assertThat(t.decode(new long[] {2, 5, 10, 7, 3, 0}, true)).isEqualTo("the dog sat");
            assertThat(t.vocabSize()).isEqualTo(12);
            assertThat(t.padTokenId()).isZero();
            assertThat(t.maskTokenId()).hasValue(4);
            assertThat(t.maskToken()).isEqualTo("[MASK]");
            assertThat(t.eosTokenId()).isEmpty();
            assertThat(t.isSpecial(2)).isTrue();
            assertThat(t.isSpecial(6)).isFalse();
            assertThatThrownBy(() -> t.decode(new long[] {12}, true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id (12)")
                    .hasMessageContaining("[0, 12)");
            Path copy = tmp.resolve("copy");
            t.save(copy);
            assertThat(Files.readString(copy.resolve("tokenizer.json")))
                    .isEqualTo(Files.readString(tmp.resolve("tokenizer.json")));
            assertThat(copy.resolve("special_tokens_map.json")).exists();
        }
    }

    @Test
    void aBrokenTokenizerJsonIsAnIoError() throws Exception {
        Files.writeString(tmp.resolve("tokenizer.json"), "{not json");
        assertThatThrownBy(() -> TextTokenizer.forModelFolder(tmp))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("tokenizer.json");
    }
}
