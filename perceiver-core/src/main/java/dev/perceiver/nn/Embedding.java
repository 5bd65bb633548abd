package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;

/** Lookup table {@code weight} of shape (num_embeddings, dim): int64 ids (...) -> (..., dim). */
public final class Embedding extends Module {
    private final Parameter weight;
    private final int numEmbeddings;

    public Embedding(NDManager manager, int numEmbeddings, int dim, double initScale) {
        super(manager);
        Checks.positive("num_embeddings", numEmbeddings);
        Checks.positive("embedding_dim", dim);
        this.numEmbeddings = numEmbeddings;
        weight = parameter("weight", normal(initScale, numEmbeddings, dim));
    }

    /** int64 ids of any shape -> (..., dim). Ids must be in [0, num_embeddings); callers validate user input. */
    public NDArray forward(NDArray ids) {
        return ids.getNDArrayInternal()
                .embedding(ids, weight.array(), SparseFormat.DENSE)
                .singletonOrThrow();
    }

    public Parameter weight() {
        return weight;
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }
}
