package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Embedding;
import dev.perceiver.nn.Parameter;

/**
 * Token logits from the input embedding's weights (weight tying): (b, n, C) -> (b, n, vocab_size), plus an optional
 * learned {@code bias} (vocab_size). The embedding is referenced, not owned (its weights stay under the input
 * adapter's keys).
 */
public final class TiedTokenOutputAdapter extends OutputAdapter {
    private final Embedding embedding;
    private final Parameter bias;

    public TiedTokenOutputAdapter(NDManager manager, Embedding embedding, boolean embBias) {
        super(manager);
        this.embedding = embedding;
        this.bias = embBias
                ? parameter("bias", manager.zeros(new ai.djl.ndarray.types.Shape(embedding.numEmbeddings())))
                : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal()
                .linear(x, embedding.weight().array(), bias == null ? null : bias.array())
                .singletonOrThrow();
    }

    /** The tied input embedding (vocab_size, C). */
    public Embedding embedding() {
        return embedding;
    }

    /** The learned bias (vocab_size), or null. */
    public Parameter bias() {
        return bias;
    }
}
