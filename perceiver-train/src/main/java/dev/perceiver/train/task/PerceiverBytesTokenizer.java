package dev.perceiver.train.task;

import dev.perceiver.config.ConfigJson;
import dev.perceiver.io.AtomicFiles;
import dev.perceiver.train.data.TextTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The Perceiver UTF-8 bytes vocabulary (262 ids: [PAD]=0, [BOS]=1, [EOS]=2, [MASK]=3, [CLS]=4, [SEP]=5, byte b =
 * b + 6) for the training data pipelines, and its Hugging Face tokenizer files ({@code PerceiverTokenizer}) for the
 * model folders a run saves.
 */
public final class PerceiverBytesTokenizer implements TextTokenizer {
    /** Vocabulary size. */
    public static final int VOCAB_SIZE = 262;
    private static final int OFFSET = 6;

    @Override
    public long[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long[] ids = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = (bytes[i] & 0xff) + OFFSET;
        }
        return ids;
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public int padId() {
        return 0;
    }

    @Override
    public int maskId() {
        return 3;
    }

    @Override
    public int eosId() {
        return 2;
    }

    @Override
    public boolean isSpecial(long id) {
        return id < OFFSET;
    }

    @Override
    public boolean isWhitespace(long id) {
        long b = id - OFFSET;
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == 0x0c;
    }

    /**
     * Writes {@code tokenizer_config.json} and {@code special_tokens_map.json} of the Perceiver bytes tokenizer.
     *
     * @param paddingSide "left" (causal models) or "right"
     */
    public static void writeFiles(Path dir, int modelMaxLength, String paddingSide) throws IOException {
        var special = ConfigJson.MAPPER.createObjectNode();
        special.put("bos_token", "[BOS]");
        special.put("cls_token", "[CLS]");
        special.put("eos_token", "[EOS]");
        special.put("mask_token", "[MASK]");
        special.put("pad_token", "[PAD]");
        special.put("sep_token", "[SEP]");
        var config = special.deepCopy();
        config.put("model_max_length", modelMaxLength);
        config.put("padding_side", paddingSide);
        config.put("tokenizer_class", "PerceiverTokenizer");
        AtomicFiles.writeString(dir.resolve("special_tokens_map.json"), ConfigJson.toString(special) + "\n");
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), ConfigJson.toString(config) + "\n");
    }
}
