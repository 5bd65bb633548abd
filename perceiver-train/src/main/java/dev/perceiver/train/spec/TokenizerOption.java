package dev.perceiver.train.spec;

import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.train.config.OptionReader;
import java.io.IOException;

/**
 * The {@code data.tokenizer} option of the text tasks (mlm, clm, text-classifier):
 * {@value Tokenizer#BYTES_TOKENIZER_NAME} (the UTF-8 bytes tokenizer, the default), a {@code tokenizer.json} file or a
 * folder holding one. The tokenizer is opened with the data; the model's {@code vocab_size} follows it and its files
 * are saved with every checkpoint.
 */
final class TokenizerOption {
    /** Option name within {@code data}. */
    static final String NAME = "tokenizer";

    private TokenizerOption() {}

    /** Loads a task's data with the tokenizer open; the tokenizer belongs to the returned data. */
    @FunctionalInterface
    interface WithTokenizer {
        LoadedData load(Tokenizer tokenizer) throws IOException;
    }

    /** The option's value; null or blank is an error naming the option and what it accepts. */
    static String check(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("data.tokenizer (" + value + ") must be "
                    + Tokenizer.BYTES_TOKENIZER_NAME + ", a tokenizer.json file or a folder holding one");
        }
        return value;
    }

    /** Reads {@code data.tokenizer}. */
    static String parse(OptionReader data) {
        return check(data.text(NAME));
    }

    /**
     * Opens the tokenizer {@code name} ({@link Tokenizer#open}) and loads the data with it; the tokenizer is closed
     * when loading fails, else by the returned {@link LoadedData}.
     */
    static LoadedData load(String name, WithTokenizer body) throws IOException {
        Tokenizer tok = Tokenizer.open(name);
        try {
            return body.load(tok);
        } catch (IOException | RuntimeException e) {
            tok.close();
            throw e;
        }
    }
}
