package dev.perceiver.inference.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tiny Hugging Face word-level tokenizer (tokenizer.json and special_tokens_map.json) written into a folder. */
final class WordLevelTokenizerFiles {
    static final String[] WORDS = {
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "dog", "."
    };

    private WordLevelTokenizerFiles() {}

    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder added = new StringBuilder();
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < WORDS.length; i++) {
            if (i < 5) {
                added.append(i == 0 ? "" : ",")
                        .append("{\"id\":")
                        .append(i)
                        .append(",\"content\":\"")
                        .append(WORDS[i])
                        .append("\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,")
                        .append("\"normalized\":false,\"special\":true}");
            }
            vocab.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(WORDS[i])
                    .append("\":")
                    .append(i);
        }
        String json = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[" + added + "],"
                + "\"normalizer\":{\"type\":\"Lowercase\"},\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
                + "\"post_processor\":{\"type\":\"TemplateProcessing\","
                + "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\","
                + "\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],"
                + "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"
                + "\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[2],\"tokens\":[\"[CLS]\"]},"
                + "\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[3],\"tokens\":[\"[SEP]\"]}}},"
                + "\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},"
                + "\"unk_token\":\"[UNK]\"}}";
        Files.writeString(dir.resolve("tokenizer.json"), json);
        Files.writeString(
                dir.resolve("special_tokens_map.json"),
                "{\"pad_token\":\"[PAD]\",\"unk_token\":\"[UNK]\","
                        + "\"cls_token\":\"[CLS]\",\"sep_token\":\"[SEP]\",\"mask_token\":{\"content\":\"[MASK]\","
                        + "\"lstrip\":false,\"normalized\":false,\"rstrip\":false,\"single_word\":false}}");
    }
}
