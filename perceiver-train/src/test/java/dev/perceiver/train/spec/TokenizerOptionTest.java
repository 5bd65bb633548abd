package dev.perceiver.train.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.inference.tokenizer.HuggingFaceFastTokenizer;
import dev.perceiver.inference.tokenizer.WordLevelTokenizerFiles;
import dev.perceiver.train.config.CommandOptions;
import dev.perceiver.train.config.OptionTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --data.tokenizer}: which tokenizer the text tasks use and the vocab_size the model gets from it. */
class TokenizerOptionTest {
    @TempDir
    Path tmp;

    private ObjectNode data(TrainingSpec<?> spec, String... args) throws Exception {
        return (ObjectNode) CommandOptions.resolve(new OptionTree(spec.defaults()), null, List.of(args))
                .get("data");
    }

    @Test
    void theDefaultIsTheBytesTokenizerWith262Ids() throws Exception {
        ObjectNode d = data(new MaskedLmSpec());
        assertThat(d.get("tokenizer").asText()).isEqualTo("deepmind/language-perceiver");
        try (LoadedData data = new MaskedLmSpec().loadData(d, 0)) {
            assertThat(data.tokenizer()).isInstanceOf(BytesTokenizer.class);
            assertThat(data.modelLinks().path("encoder").path("vocab_size").asInt())
                    .isEqualTo(262);
            assertThat(data.modelLinks().path("decoder").path("vocab_size").asInt())
                    .isEqualTo(262);
        }
    }

    @Test
    void aTokenizerJsonSetsTheVocabularyOfTheModel() throws Exception {
        Path tok = tmp.resolve("tok");
        List<String> words = new ArrayList<>();
        for (String w : "we the people of the united states in order to form a more perfect union".split(" ")) {
            words.add(w);
        }
        List<String> vocab = WordLevelTokenizerFiles.write(tok, words, true);
        Path corpus = tmp.resolve("corpus");
        Files.createDirectories(corpus);
        for (int i = 0; i < 10; i++) {
            Files.writeString(corpus.resolve(i + ".txt"), String.join(" ", words.subList(i, words.size())));
        }
        ObjectNode d = data(
                new CausalLmSpec(), "--data.tokenizer=" + tok, "--data.dataset_dir=" + corpus, "--data.max_seq_len=8");
        try (LoadedData data = new CausalLmSpec().loadData(d, 0)) {
            assertThat(data.tokenizer()).isInstanceOf(HuggingFaceFastTokenizer.class);
            assertThat(data.modelLinks().path("vocab_size").asInt()).isEqualTo(vocab.size());
        }
    }

    @Test
    void aTokenizerWithoutTheTokensATaskNeedsIsAClearError() throws Exception {
        Path tok = tmp.resolve("noeos");
        WordLevelTokenizerFiles.write(tok);
        ObjectNode d = data(new CausalLmSpec(), "--data.tokenizer=" + tok);
        assertThatThrownBy(() -> new CausalLmSpec().loadData(d, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eos_token");
        ObjectNode missing = data(new TextClassifierSpec(), "--data.tokenizer=" + tmp.resolve("nothing"));
        assertThatThrownBy(() -> new TextClassifierSpec().loadData(missing, 0))
                .isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining("nothing");
    }
}
