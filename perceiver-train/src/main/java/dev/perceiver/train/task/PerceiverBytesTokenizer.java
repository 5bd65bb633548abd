package dev.perceiver.train.task;

import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.inference.tokenizer.PerceiverTextTokenizer;
import dev.perceiver.train.data.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The Perceiver UTF-8 bytes tokenizer ({@link BytesTokenizer}, 262 ids) as the training data pipelines see it, and its
 * Hugging Face tokenizer files ({@code PerceiverTokenizer}) for the
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
     * Writes the Hugging Face tokenizer files of the Perceiver bytes tokenizer ({@code tokenizer_config.json},
     * {@code special_tokens_map.json}) into a model folder, as {@link PerceiverTextTokenizer#save} does.
     */
    public static void writeFiles(Path dir) throws IOException {
        new PerceiverTextTokenizer().save(dir);
    }
}
