package dev.perceiver.inference.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The Perceiver UTF-8 bytes tokenizer ({@link BytesTokenizer}: 262 ids, {@code [PAD]=0 ... [SEP]=5}, byte b = b + 6)
 * as a {@link TextTokenizer}. One {@code [MASK]} is one byte. {@link #save} writes the {@code tokenizer_config.json}
 * and {@code special_tokens_map.json} that Hugging Face's {@code PerceiverTokenizer.save_pretrained} writes, so a
 * model folder saved with it loads with {@code AutoTokenizer.from_pretrained}.
 */
public final class PerceiverTextTokenizer implements TextTokenizer {
    /** Hugging Face class name of this tokenizer. */
    public static final String CLASS_NAME = "PerceiverTokenizer";

    private final BytesTokenizer bytes = new BytesTokenizer();

    @Override
    public long[] encode(String text, boolean addSpecialTokens) {
        return bytes.encode(text, addSpecialTokens);
    }

    @Override
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return bytes.decode(ids, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return BytesTokenizer.VOCAB_SIZE;
    }

    @Override
    public long padTokenId() {
        return BytesTokenizer.PAD_ID;
    }

    @Override
    public OptionalLong eosTokenId() {
        return OptionalLong.of(BytesTokenizer.EOS_ID);
    }

    @Override
    public OptionalLong maskTokenId() {
        return OptionalLong.of(BytesTokenizer.MASK_ID);
    }

    @Override
    public String maskToken() {
        return BytesTokenizer.SPECIAL_TOKENS.get(BytesTokenizer.MASK_ID);
    }

    @Override
    public boolean isSpecial(long id) {
        return bytes.isSpecialToken(id);
    }

    @Override
    public String tokenizerClass() {
        return CLASS_NAME;
    }

    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode config = ConfigJson.MAPPER.createObjectNode();
        ObjectNode map = ConfigJson.MAPPER.createObjectNode();
        String[] roles = {"bos_token", "cls_token", "eos_token", "mask_token", "pad_token", "sep_token"};
        int[] ids = {
            BytesTokenizer.BOS_ID,
            BytesTokenizer.CLS_ID,
            BytesTokenizer.EOS_ID,
            BytesTokenizer.MASK_ID,
            BytesTokenizer.PAD_ID,
            BytesTokenizer.SEP_ID
        };
        for (int i = 0; i < roles.length; i++) {
            String content = BytesTokenizer.SPECIAL_TOKENS.get(ids[i]);
            ObjectNode typed = config.putObject(roles[i]);
            typed.put("__type", "AddedToken");
            addedToken(typed, content);
            addedToken(map.putObject(roles[i]), content);
            if (roles[i].equals("mask_token")) {
                config.put("model_max_length", BytesTokenizer.MODEL_MAX_LENGTH);
            }
        }
        config.put("tokenizer_class", CLASS_NAME);
        AtomicFiles.writeString(dir.resolve(TOKENIZER_CONFIG), ConfigJson.toString(config) + "\n");
        AtomicFiles.writeString(dir.resolve(SPECIAL_TOKENS_MAP), ConfigJson.toString(map) + "\n");
    }

    private static void addedToken(ObjectNode node, String content) {
        node.put("content", content);
        node.put("lstrip", false);
        node.put("normalized", true);
        node.put("rstrip", false);
        node.put("single_word", false);
    }

    @Override
    public void close() {
        // nothing to free
    }
}
