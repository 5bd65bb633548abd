package dev.perceiver.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceFastTokenizerTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderWithTokenizerJsonUsesItAndItsSpecialTokenRoles() throws Exception {
        WordLevelTokenizerFiles.write(tmp);
        try (Tokenizer t = Tokenizer.forModelFolder(tmp)) {
            assertThat(t).isInstanceOf(HuggingFaceFastTokenizer.class);
            assertThat(t.encode("The cat sat", true)).containsExactly(2, 5, 6, 7, 3);
            assertThat(t.encode("the [MASK] sat", false)).containsExactly(5, 4, 7);
            assertThat(t.encode("the zebra", false)).containsExactly(5, 1);
            assertThat(t.decode(new long[] {2, 5, 10, 7, 3, 0}, true)).isEqualTo("the dog sat");
            assertThat(t.vocabSize()).isEqualTo(12);
            assertThat(t.padTokenId()).isZero();
            assertThat(t.tokenId(SpecialToken.MASK)).hasValue(4);
            assertThat(t.token(SpecialToken.MASK)).hasValue("[MASK]");
            assertThat(t.tokenId(SpecialToken.CLS)).hasValue(2);
            assertThat(t.tokenId(SpecialToken.UNK)).hasValue(1);
            assertThat(t.tokenId(SpecialToken.EOS)).isEmpty();
            assertThat(t.isSpecial(2)).isTrue();
            assertThat(t.isSpecial(6)).isFalse();
            assertThatThrownBy(() -> t.decode(new long[] {12}, true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id (12)")
                    .hasMessageContaining("[0, 12)");
        }
    }

    @Test
    void encodeDecodeRoundTripsEveryVocabularyWord() throws Exception {
        List<String> words = List.of("alpha", "beta", "gamma", "delta", ",", "!");
        List<String> vocab = WordLevelTokenizerFiles.write(tmp, words, true);
        try (Tokenizer t = Tokenizer.open(tmp.toString())) {
            String text = "alpha beta , gamma delta !";
            long[] ids = t.encode(text, false);
            assertThat(ids).hasSize(6);
            for (int i = 0; i < ids.length; i++) {
                assertThat(vocab.get((int) ids[i])).isEqualTo(text.split(" ")[i]);
            }
            assertThat(t.decode(ids, true)).isEqualTo(text);
            assertThat(t.tokenId(SpecialToken.EOS)).hasValue(vocab.indexOf("[EOS]"));
            assertThat(t.vocabSize()).isEqualTo(vocab.size());
        }
    }

    @Test
    void wordIdsAreTheTokenizersWordsAndSpecialTokensHaveNone() throws Exception {
        WordLevelTokenizerFiles.write(tmp);
        try (Tokenizer t = Tokenizer.forModelFolder(tmp)) {
            EncodedText e = t.encodeWithWordIds("the cat sat.", true);
            assertThat(e.ids()).containsExactly(2, 5, 6, 7, 11, 3);
            assertThat(e.wordIds()).containsExactly(Tokenizer.NO_WORD, 0, 1, 2, 3, Tokenizer.NO_WORD);
            assertThat(t.encodeWithWordIds("the [MASK]", false).wordIds()).containsExactly(0, Tokenizer.NO_WORD);
        }
    }

    @Test
    void saveCopiesTheFilesAndAFileOfAnyNameOpens() throws Exception {
        Path src = tmp.resolve("src");
        WordLevelTokenizerFiles.write(src);
        Path renamed = src.resolve("my-words.json");
        Files.move(src.resolve("tokenizer.json"), renamed);
        try (Tokenizer t = Tokenizer.open(renamed.toString())) {
            assertThat(t.tokenId(SpecialToken.MASK)).hasValue(4);
            Path copy = tmp.resolve("copy");
            t.save(copy);
            assertThat(Files.readString(copy.resolve("tokenizer.json"))).isEqualTo(Files.readString(renamed));
            assertThat(Files.readString(copy.resolve("special_tokens_map.json")))
                    .isEqualTo(Files.readString(src.resolve("special_tokens_map.json")));
            try (Tokenizer again = Tokenizer.forModelFolder(copy)) {
                assertThat(again.encode("the cat", true)).containsExactly(t.encode("the cat", true));
            }
        }
    }

    @Test
    void openKnowsTheReferenceNameOfTheBytesTokenizerAndNamesAMissingPath() throws Exception {
        try (Tokenizer t = Tokenizer.open(Tokenizer.BYTES_TOKENIZER_NAME)) {
            assertThat(t).isInstanceOf(BytesTokenizer.class);
        }
        assertThatThrownBy(() -> Tokenizer.open(tmp.resolve("nothing").toString()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nothing")
                .hasMessageContaining("deepmind/language-perceiver");
    }

    @Test
    void aBrokenTokenizerJsonIsAnIoErrorNamingTheFile() throws Exception {
        Files.writeString(tmp.resolve("tokenizer.json"), "{not json");
        assertThatThrownBy(() -> Tokenizer.forModelFolder(tmp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tokenizer.json");
    }

    /** Found by fuzzing: the library loads such a file and fails on the first unknown word, in native code. */
    @Test
    void anUnknownTokenOutsideTheVocabularyIsRefusedAtLoad() throws Exception {
        String json = TokenizerJsonSeeds.wordLevel().replace("\"[UNK]\":26", "\"[UNK&\":26");
        Files.writeString(tmp.resolve("tokenizer.json"), json);
        assertThatThrownBy(() -> Tokenizer.forModelFolder(tmp))
                .isInstanceOf(IOException.class)
                .hasMessageEndingWith("tokenizer.json: model.unk_token '[UNK]' is not in the model's vocabulary");
    }
}
