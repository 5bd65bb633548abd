package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.perceiver.model.position.Positions;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Embedding;

/**
 * Token ids (b, n) -> embeddings (b, n, C): {@code txt_embedding(x)} plus, when {@code abs_pos_emb}, a learned
 * absolute position embedding {@code pos_embedding} of {@code max_seq_len} positions. Rejects ids outside
 * [0, vocab_size) and sequences longer than max_seq_len.
 */
public class TokenInputAdapter extends InputAdapter {
    private final Embedding txtEmbedding;
    private final Embedding posEmbedding;
    private final int maxSeqLen;

    public TokenInputAdapter(
            NDManager manager,
            int vocabSize,
            int maxSeqLen,
            int numInputChannels,
            boolean absPosEmb,
            double initScale) {
        super(manager, numInputChannels);
        Checks.positive("vocab_size", vocabSize);
        Checks.positive("max_seq_len", maxSeqLen);
        this.maxSeqLen = maxSeqLen;
        txtEmbedding = child("txt_embedding", new Embedding(manager, vocabSize, numInputChannels, initScale));
        posEmbedding = absPosEmb
                ? child("pos_embedding", new Embedding(manager, maxSeqLen, numInputChannels, initScale))
                : null;
    }

    /** (b, n) int64 ids -> (b, n, C) with positions 0..n-1. */
    @Override
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    /**
     * @param x int64 ids (b, n_x)
     * @param absPos int64 positions (b, n), n >= n_x; the right-most n_x are used; null = 0..n_x-1
     * @return (b, n_x, C)
     */
    public NDArray forward(NDArray x, NDArray absPos) {
        checkIds(x);
        NDArray emb = txtEmbedding.forward(x);
        if (posEmbedding == null) {
            return emb;
        }
        long nx = x.getShape().get(1);
        if (absPos == null) {
            absPos = Positions.positions(x.getManager(), x.getShape().get(0), nx, null);
        } else if (nx < absPos.getShape().get(1)) {
            absPos = absPos.get(":, " + (absPos.getShape().get(1) - nx) + ":");
        }
        return emb.add(posEmbedding.forward(absPos));
    }

    /** Inputs with at most this many ids are checked in Java. */
    private static final long SMALL_INPUT = 1024;

    /** Validates shape and range of token ids. */
    protected void checkIds(NDArray x) {
        if (x.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    "token ids must have shape (batch, seq_len) but have shape " + x.getShape());
        }
        if (x.getDataType() != DataType.INT64 && x.getDataType() != DataType.INT32) {
            throw new IllegalArgumentException("token ids must be integers but are " + x.getDataType());
        }
        long n = x.getShape().get(1);
        if (n > maxSeqLen) {
            throw new IllegalArgumentException(
                    "input sequence length (" + n + ") exceeds max_seq_len (" + maxSeqLen + ")");
        }
        if (x.size() > 0 && x.size() <= SMALL_INPUT) {
            // a few ids (e.g. a decoding step): one copy to Java instead of two reductions and two read-backs
            long[] ids = x.getDataType() == DataType.INT64
                    ? x.toLongArray()
                    : java.util.Arrays.stream(x.toIntArray()).asLongStream().toArray();
            for (long id : ids) {
                if (id < 0 || id >= vocabSize()) {
                    throw new IllegalArgumentException(
                            "token id (" + id + ") out of range [0, " + vocabSize() + ") (vocab_size)");
                }
            }
        } else if (x.size() > 0) {
            long max = x.max().toType(DataType.INT64, false).getLong();
            long min = x.min().toType(DataType.INT64, false).getLong();
            if (min < 0 || max >= vocabSize()) {
                long bad = min < 0 ? min : max;
                throw new IllegalArgumentException(
                        "token id (" + bad + ") out of range [0, " + vocabSize() + ") (vocab_size)");
            }
        }
    }

    public Embedding txtEmbedding() {
        return txtEmbedding;
    }

    public int vocabSize() {
        return txtEmbedding.numEmbeddings();
    }

    public int maxSeqLen() {
        return maxSeqLen;
    }

    /** The absolute position embedding (max_seq_len, C), or null without one. */
    public Embedding posEmbedding() {
        return posEmbedding;
    }
}
