package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.inference.tokenizer.WordLevelTokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --data.tokenizer=PATH} with a Hugging Face word-level {@code tokenizer.json}: the model's vocab_size is
 * the tokenizer's, the saved model folder carries the tokenizer, and fill-mask, generate and classify-text run on it.
 */
class TokenizerJsonTrainingTest {
    private static final List<String> WORDS =
            List.of("the", "a", "cat", "dog", "bird", "sat", "ran", "flew", "on", "under", "mat", "tree", ".");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path tokenizer;
    static Path corpus;
    static List<String> vocab;

    @BeforeAll
    static void writeTokenizerAndCorpus() throws Exception {
        tokenizer = tmp.resolve("tokenizer");
        vocab = WordLevelTokenizerFiles.write(tokenizer, WORDS, true);
        corpus = tmp.resolve("corpus");
        Files.createDirectories(corpus);
        Random random = new Random(3);
        for (int d = 0; d < 20; d++) {
            StringBuilder doc = new StringBuilder();
            for (int w = 0; w < 30; w++) {
                doc.append(w == 0 ? "" : " ").append(WORDS.get(random.nextInt(WORDS.size())));
            }
            Files.writeString(corpus.resolve("doc" + d + ".txt"), doc + "\n");
        }
    }

    private static Path train(String task, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                task,
                "--data.tokenizer=" + tokenizer,
                "--data.batch_size=4",
                "--trainer.max_steps=2",
                "--trainer.val_check_interval=2",
                "--trainer.limit_val_batches=1",
                "--trainer.default_root_dir=" + tmp.resolve("runs")));
        args.addAll(List.of(extra));
        TrainCommandTest.Run r = TrainCommandTest.run(args.toArray(new String[0]));
        assertThat(r.code()).as(r.err()).isZero();
        String last = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        Path best = Path.of(last.substring(4, last.indexOf(' '))).resolve("checkpoints/best");
        assertThat(best.resolve("tokenizer.json")).exists();
        assertThat(best.resolve("special_tokens_map.json")).exists();
        return best;
    }

    @Test
    void mlmTrainsWithTheTokenizerAndFillMaskUsesIt() throws Exception {
        Path best = train(
                "mlm",
                "--data.dataset_dir=" + corpus,
                "--data.max_seq_len=16",
                "--model.num_latents=4",
                "--model.num_latent_channels=16",
                "--model.encoder.num_input_channels=16",
                "--model.encoder.num_cross_attention_heads=2",
                "--model.encoder.num_self_attention_heads=2",
                "--model.encoder.num_self_attention_layers_per_block=1",
                "--model.decoder.num_cross_attention_heads=2");
        JsonNode config = JSON.readTree(best.resolve("config.json").toFile());
        assertThat(config.toString()).contains("\"vocab_size\":" + vocab.size());
        TrainCommandTest.Run r = TrainCommandTest.run(
                "fill-mask", "--model", best.toString(), "--top-k", "3", "--json", "the [MASK] sat");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode result = JSON.readTree(r.out().strip());
        JsonNode mask = result.get("masks").get(0);
        assertThat(mask.get("position").asInt()).isEqualTo(2); // [CLS] the [MASK] sat [SEP]
        for (JsonNode c : mask.get("candidates")) {
            assertThat(c.get("token").asText())
                    .isEqualTo(vocab.get(c.get("token_id").asInt()));
        }
    }

    @Test
    void clmTrainsWithTheTokenizerAndGenerateUsesIt() throws Exception {
        Path best = train(
                "clm",
                "--data.dataset_dir=" + corpus,
                "--data.max_seq_len=16",
                "--model.num_channels=16",
                "--model.num_heads=2",
                "--model.max_latents=8",
                "--model.num_self_attention_layers=1");
        assertThat(JSON.readTree(best.resolve("config.json").toFile()).toString())
                .contains("\"vocab_size\":" + vocab.size());
        TrainCommandTest.Run r = TrainCommandTest.run(
                "generate",
                "--model",
                best.toString(),
                "--prompt",
                "the cat",
                "--max-new-tokens",
                "3",
                "--num-latents",
                "2",
                "--ignore-eos",
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode result = JSON.readTree(r.out().strip());
        assertThat(result.get("tokens")).hasSize(3);
        assertThat(result.get("full_text").asText()).startsWith("the cat");
        for (JsonNode t : result.get("tokens")) {
            assertThat(t.asInt()).isBetween(0, vocab.size() - 1);
        }
    }

    @Test
    void textClassifierTrainsWithTheTokenizerAndClassifyTextUsesIt() throws Exception {
        Path train = tmp.resolve("train.csv");
        Path valid = tmp.resolve("valid.csv");
        Files.writeString(train, "text,label\nthe cat sat,pos\nthe dog ran,neg\na bird flew,pos\na cat ran,neg\n");
        Files.writeString(valid, "text,label\nthe bird sat,pos\na dog ran,neg\n");
        Path best = train(
                "text-classifier",
                "--data.train_file=" + train,
                "--data.valid_file=" + valid,
                "--data.max_seq_len=8",
                "--model.num_latents=4",
                "--model.num_latent_channels=16",
                "--model.encoder.num_input_channels=16",
                "--model.encoder.num_cross_attention_heads=2",
                "--model.encoder.num_self_attention_heads=2",
                "--model.encoder.num_self_attention_layers_per_block=1",
                "--model.decoder.num_cross_attention_heads=2");
        assertThat(JSON.readTree(best.resolve("config.json").toFile()).toString())
                .contains("\"vocab_size\":" + vocab.size());
        TrainCommandTest.Run r = TrainCommandTest.run(
                "classify-text", "--model", best.toString(), "--top-k", "2", "--json", "the cat sat");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> labels = new ArrayList<>();
        JSON.readTree(r.out().strip())
                .get("labels")
                .forEach(l -> labels.add(l.get("label").asText()));
        assertThat(labels).containsExactlyInAnyOrder("pos", "neg");
    }
}
