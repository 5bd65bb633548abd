package dev.perceiver.train.data;

import java.nio.charset.StandardCharsets;

/**
 * Minimal UTF-8 bytes tokenizer for tests: id = byte + 6; [PAD]=0, [BOS]=1, [EOS]=2, [MASK]=3, [CLS]=4,
 * [SEP]=5; vocabulary 262. Same id layout as the core module's bytes tokenizer so it can be swapped in.
 */
final class TestBytesTokenizer implements TextTokenizer {
    static final int PAD = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final int MASK = 3;
    static final int CLS = 4;
    static final int SEP = 5;
    static final int OFFSET = 6;

    @Override
    public long[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long[] ids = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = (bytes[i] & 0xff) + OFFSET;
        }
        return ids;
    }

    String decode(long[] ids) {
        byte[] out = new byte[ids.length];
        int n = 0;
        for (long id : ids) {
            if (id >= OFFSET) {
                out[n++] = (byte) (id - OFFSET);
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return 256 + OFFSET;
    }

    @Override
    public int padId() {
        return PAD;
    }

    @Override
    public int maskId() {
        return MASK;
    }

    @Override
    public int eosId() {
        return EOS;
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
}
