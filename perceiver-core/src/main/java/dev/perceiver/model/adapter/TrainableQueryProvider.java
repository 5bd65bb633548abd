package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;

/**
 * Learned queries: the latent array (N, D) of an encoder or the output query array (O, F) of a decoder.
 * Parameter {@code _query}; {@link #query} returns it as (1, n, channels), broadcast over the batch.
 */
public final class TrainableQueryProvider extends Module implements QueryProvider {
    private final Parameter query;

    public TrainableQueryProvider(NDManager manager, int numQueries, int numQueryChannels, double initScale) {
        super(manager);
        Checks.positive("num_queries", numQueries);
        Checks.positive("num_query_channels", numQueryChannels);
        query = parameter("_query", normal(initScale, numQueries, numQueryChannels));
    }

    @Override
    public int numQueryChannels() {
        return (int) query.shape().get(1);
    }

    /** Number of queries (N or O). */
    public int numQueries() {
        return (int) query.shape().get(0);
    }

    @Override
    public NDArray query(NDArray xAdapted) {
        return query.array().expandDims(0);
    }
}
