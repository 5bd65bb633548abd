package dev.perceiver.inference.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Tiny Hugging Face word-level tokenizers for tests: {@code tokenizer.json} (lowercase normalizer, whitespace
 * pre-tokenizer, {@code [CLS] text [SEP]} post-processor) and {@code special_tokens_map.json} written into a folder.
 */
public final class WordLevelTokenizerFiles {
    /** Special tokens, ids 0..4 ({@code [EOS]} = 5 when asked for). */
    public static final List<String> SPECIAL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    /** The vocabulary of {@link #write(Path)}: specials 0..4, then seven words and a full stop. */
    public static final String[] WORDS = {
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "dog", "."
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    private WordLevelTokenizerFiles() {}

    /** Writes the 12-token tokenizer of {@link #WORDS} (no EOS token). */
    public static void write(Path dir) throws IOException {
        write(dir, List.of(WORDS).subList(SPECIAL.size(), WORDS.length), false);
    }

    /**
     * Writes a tokenizer of the special tokens, then {@code [EOS]} if {@code withEos}, then {@code words} (lowercase,
     * first occurrence wins).
     *
     * @return the vocabulary by id
     */
    public static List<String> write(Path dir, Collection<String> words, boolean withEos) throws IOException {
        Files.createDirectories(dir);
        List<String> specials = new ArrayList<>(SPECIAL);
        if (withEos) {
            specials.add("[EOS]");
        }
        LinkedHashSet<String> vocab = new LinkedHashSet<>(specials);
        vocab.addAll(words);
        List<String> byId = List.copyOf(vocab);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < specials.size(); i++) {
            added.addObject()
                    .put("id", i)
                    .put("content", specials.get(i))
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        root.putObject("normalizer").put("type", "Lowercase");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "[CLS]").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        single.addObject().putObject("SpecialToken").put("id", "[SEP]").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode postSpecial = post.putObject("special_tokens");
        for (String t : List.of("[CLS]", "[SEP]")) {
            ObjectNode s = postSpecial.putObject(t);
            s.put("id", t);
            s.putArray("ids").add(byId.indexOf(t));
            s.putArray("tokens").add(t);
        }
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < byId.size(); i++) {
            v.put(byId.get(i), i);
        }
        model.put("unk_token", "[UNK]");
        Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(root));
        ObjectNode map = JSON.createObjectNode();
        map.put("pad_token", "[PAD]");
        map.put("unk_token", "[UNK]");
        map.put("cls_token", "[CLS]");
        map.put("sep_token", "[SEP]");
        map.putObject("mask_token")
                .put("content", "[MASK]")
                .put("lstrip", false)
                .put("normalized", false)
                .put("rstrip", false)
                .put("single_word", false);
        if (withEos) {
            map.put("eos_token", "[EOS]");
        }
        Files.writeString(dir.resolve("special_tokens_map.json"), JSON.writeValueAsString(map));
        return byId;
    }
}
