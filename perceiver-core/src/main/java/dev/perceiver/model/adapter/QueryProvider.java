package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;

/** Provides the query input of a cross-attention: the encoder's latents or the decoder's output queries. */
public interface QueryProvider {
    /** Number of query channels (D for latents, F for output queries). */
    int numQueryChannels();

    /**
     * @param xAdapted the adapted encoder input (b, M, C), for providers that derive queries from it; may be null
     * @return queries (1 or b, n, channels)
     */
    NDArray query(NDArray xAdapted);

    /** Whether {@link #query} needs the adapted encoder input (false: it may be given null). */
    default boolean usesAdaptedInput() {
        return false;
    }
}
