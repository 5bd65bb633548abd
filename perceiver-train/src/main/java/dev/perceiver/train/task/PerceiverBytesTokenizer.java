package dev.perceiver.train.task;

import dev.perceiver.config.ConfigJson;
import dev.perceiver.io.AtomicFiles;
import dev.perceiver.text.BytesTokenizer;
import dev.perceiver.train.data.TextTokenizer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The Perceiver UTF-8 bytes tokenizer ({@link BytesTokenizer}, 262 ids) as the training data pipelines see it, and its Hugging Face tokenizer files ({@code PerceiverTokenizer}) for the
 * model folders a run saves.
 */
public final class PerceiverBytesTokenizer implements TextTokenizer {
    /** Vocabulary size. */
    public static final int VOCAB_SIZE = BytesTokenizer.VOCAB_SIZE;
    private final BytesTokenizer tokenizer = new BytesTokenizer();

    @Override
    public long[] encode(String text) {
        return tokenizer.encode(text, false);
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    @Override
    public int padId() {
        return BytesTokenizer.PAD_ID;
    }

    @Override
    public int maskId() {
        return BytesTokenizer.MASK_ID;
    }

    @Override
    public int eosId() {
        return BytesTokenizer.EOS_ID;
    }

    @Override
    public boolean isSpecial(long id) {
        return tokenizer.isSpecialToken(id);
    }

    @Override
    public boolean isWhitespace(long id) {
        return tokenizer.isWhitespace(id);
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
