package dev.perceiver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.ClassificationOutputAdapter;
import dev.perceiver.model.adapter.OutputAdapter;
import dev.perceiver.model.adapter.QueryProvider;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.model.blocks.AttentionLayerSpec;
import dev.perceiver.model.blocks.AttentionSpec;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.blocks.KeyValues;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Ops;
import dev.perceiver.nn.Scopes;

/**
 * Generic Perceiver IO decoder: output queries (O, F) from a query provider cross-attend to the latents (b, N, D);
 * the output adapter turns the result (b, O, F) into task output (b, O, E). Children
 * {@code output_query_provider}, {@code output_adapter}, {@code cross_attn}.
 */
public final class PerceiverDecoder extends Module {
    private final QueryProvider queryProvider;
    private final OutputAdapter outputAdapter;
    private final CrossAttentionLayer crossAttn;
    private int queryChunkSize;

    /**
     * @param queryProvider a {@link Module} that provides the output queries
     * @param numLatentChannels D
     */
    public <Q extends Module & QueryProvider> PerceiverDecoder(
            NDManager manager,
            OutputAdapter outputAdapter,
            Q queryProvider,
            int numLatentChannels,
            DecoderConfig config) {
        super(manager);
        this.queryProvider = child("output_query_provider", queryProvider);
        this.outputAdapter = child("output_adapter", outputAdapter);
        AttentionSpec attention = AttentionSpec.builder()
                .numHeads(config.numCrossAttentionHeads())
                .numQInputChannels(queryProvider.numQueryChannels())
                .numKvInputChannels(numLatentChannels)
                .numQkChannels(config.numCrossAttentionQkChannels())
                .numVChannels(config.numCrossAttentionVChannels())
                .dropout(config.dropout())
                .initScale(config.initScale())
                .build();
        crossAttn = child(
                "cross_attn",
                new CrossAttentionLayer(
                        manager,
                        AttentionLayerSpec.builder()
                                .attention(attention)
                                .wideningFactor(config.crossAttentionWideningFactor())
                                .attentionResidual(config.crossAttentionResidual())
                                .build()));
    }

    /**
     * @param latents (b, N, D)
     * @param adapted adapted encoder input (b, M, C), for query providers that use it; may be null
     * @return task output of the output adapter
     */
    public NDArray forward(NDArray latents, NDArray adapted) {
        NDArray query = queryProvider.query(adapted);
        long n = query.getShape().get(1);
        long rows = chunkRows(query, latents);
        if (isTraining()) {
            return outputAdapter.forward(crossAttn.forward(query, latents, null));
        }
        // output queries are independent given the latents: each chunk of rows runs the whole layer (attention,
        // residual, MLP) on its own, with the latents' keys and values formed once, and its temporaries freed
        KeyValues kv = crossAttn.crossAttention().keyValues(latents);
        if (rows >= n) {
            return outputAdapter.forward(Scopes.keep(() -> crossAttn.forward(query, kv, null)));
        }
        NDList parts = new NDList();
        for (long s = 0; s < n; s += rows) {
            NDArray chunk = Ops.narrow(query, 1, s, Math.min(n, s + rows));
            parts.add(Scopes.keep(() -> crossAttn.forward(chunk, kv, null)));
        }
        return outputAdapter.forward(NDArrays.concat(parts, 1));
    }

    /**
     * Output queries per chunk outside training: the set {@link #queryChunkSize()}, or with 0 (automatic) as many as
     * keep one chunk's attention scores (b x heads x rows x N values) within
     * {@link MultiHeadAttention#MAX_INFERENCE_SCORES_PER_CHUNK}; at least 1.
     */
    private long chunkRows(NDArray query, NDArray latents) {
        long n = query.getShape().get(1);
        if (queryChunkSize > 0) {
            return Math.min(n, queryChunkSize);
        }
        long b = Math.max(query.getShape().get(0), latents.getShape().get(0));
        long perRow = b
                * crossAttn.crossAttention().attention().numHeads()
                * latents.getShape().get(1);
        return MultiHeadAttention.automaticChunkRows(perRow, n, false);
    }

    /**
     * Output queries decoded per chunk outside training: {@code n > 0} runs the cross-attention layer on chunks of at
     * most n query rows (the output queries are independent given the latents, so the output is the same up to
     * float rounding), which bounds the memory of decoding many queries, e.g. one per pixel; 0 (the default) chooses
     * the chunk size from {@link MultiHeadAttention#MAX_INFERENCE_SCORES_PER_CHUNK}.
     */
    public void setQueryChunkSize(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("query_chunk_size (" + n + ") must be >= 0 (0 = automatic)");
        }
        queryChunkSize = n;
    }

    /** Output queries per decoded chunk, or 0 for automatic (see {@link #setQueryChunkSize}). */
    public int queryChunkSize() {
        return queryChunkSize;
    }

    /** Classification decoder: num_output_queries learned queries -> logits (b, num_classes). */
    public static PerceiverDecoder classification(NDManager m, ClassificationDecoderConfig d, int numLatentChannels) {
        double init = d.base().initScale();
        return new PerceiverDecoder(
                m,
                new ClassificationOutputAdapter(m, d.numClasses(), d.numOutputQueryChannels(), init),
                new TrainableQueryProvider(m, d.numOutputQueries(), d.numOutputQueryChannels(), init),
                numLatentChannels,
                d.base());
    }

    /** Whether the output queries are derived from the adapted encoder input. */
    public boolean usesAdaptedInput() {
        return queryProvider.usesAdaptedInput();
    }

    public OutputAdapter outputAdapter() {
        return outputAdapter;
    }

    /** The provider of the output queries. */
    public QueryProvider queryProvider() {
        return queryProvider;
    }

    /** The cross-attention layer (cross_attn). */
    public CrossAttentionLayer crossAttention() {
        return crossAttn;
    }
}
