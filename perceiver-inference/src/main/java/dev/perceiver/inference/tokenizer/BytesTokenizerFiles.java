package dev.perceiver.inference.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.FolderFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks that the tokenizer files of a model folder without {@code tokenizer.json} describe the Perceiver UTF-8 bytes
 * tokenizer ({@link BytesTokenizer}, Hugging Face's {@code PerceiverTokenizer}, which has no vocabulary file): the
 * {@code tokenizer_class} of {@code tokenizer_config.json} and {@code config.json}, where given, must be
 * {@value BytesTokenizer#CLASS_NAME}, and every special token named in {@code tokenizer_config.json} or
 * {@code special_tokens_map.json} (plain text or an {@code AddedToken} object) must be the bytes tokenizer's token of
 * that role. Absent files are fine (the published krasserm folders of non-text models have none).
 */
final class BytesTokenizerFiles {
    private BytesTokenizerFiles() {}

    /**
     * @param dir the model folder
     * @throws IOException naming the file and entry that describe another tokenizer, or a file that is not JSON
     */
    static void check(Path dir) throws IOException {
        BytesTokenizer bytes = new BytesTokenizer();
        checkClass(FolderFiles.confined(dir, "config.json"));
        checkClass(FolderFiles.confined(dir, Tokenizer.TOKENIZER_CONFIG));
        checkSpecialTokens(FolderFiles.confined(dir, Tokenizer.TOKENIZER_CONFIG), bytes);
        checkSpecialTokens(FolderFiles.confined(dir, Tokenizer.SPECIAL_TOKENS_MAP), bytes);
    }

    private static JsonNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return ConfigJson.parse(FolderFiles.readConfigText(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static void checkClass(Path file) throws IOException {
        JsonNode json = read(file);
        JsonNode cls = json == null ? null : json.get("tokenizer_class");
        if (cls == null || cls.isNull()) {
            return;
        }
        if (!cls.isTextual() || !cls.asText().equals(BytesTokenizer.CLASS_NAME)) {
            throw new IOException(file + ": tokenizer_class " + cls + " needs its " + Tokenizer.TOKENIZER_JSON
                    + " in the folder; without one only " + BytesTokenizer.CLASS_NAME
                    + " (the UTF-8 bytes tokenizer, no vocabulary file) is supported");
        }
    }

    private static void checkSpecialTokens(Path file, BytesTokenizer bytes) throws IOException {
        JsonNode json = read(file);
        if (json == null) {
            return;
        }
        for (SpecialToken role : SpecialToken.values()) {
            JsonNode v = json.get(role.key());
            if (v == null || v.isNull()) {
                continue;
            }
            JsonNode content = v.isObject() ? v.get("content") : v;
            if (content == null || !content.isTextual()) {
                throw new IOException(file + ": " + role.key() + " (" + v
                        + ") must be a token text or an object with a text 'content'");
            }
            Optional<String> expected = bytes.token(role);
            if (expected.isEmpty() || !expected.get().equals(content.asText())) {
                throw new IOException(file + ": " + role.key() + " '" + content.asText() + "' is not a token of "
                        + BytesTokenizer.CLASS_NAME + " (its " + role.key() + ": "
                        + expected.map(t -> "'" + t + "'").orElse("none") + "); a folder with other special tokens"
                        + " needs its " + Tokenizer.TOKENIZER_JSON);
            }
        }
    }
}
