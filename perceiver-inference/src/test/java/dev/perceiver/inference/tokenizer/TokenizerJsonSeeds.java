package dev.perceiver.inference.tokenizer;

/** A small WordLevel {@code tokenizer.json} with a Split pre-tokenizer, for tests and fuzz targets. */
final class TokenizerJsonSeeds {
    private TokenizerJsonSeeds() {}

    /** Letters a..z as ids 0..25, [UNK] 26, [X] 27 (special), split on {@code \s+}. */
    static String wordLevel() {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < 26; i++) {
            vocab.append('"').append((char) ('a' + i)).append("\":").append(i).append(',');
        }
        vocab.append("\"[UNK]\":26");
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
                + "\"added_tokens\":[{\"id\":27,\"content\":\"[X]\",\"single_word\":false,"
                + "\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                + "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+\"},"
                + "\"behavior\":\"Isolated\",\"invert\":false},\"post_processor\":null,\"decoder\":null,"
                + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},\"unk_token\":\"[UNK]\"}}";
    }
}
