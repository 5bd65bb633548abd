package dev.perceiver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.ClassificationOutputAdapter;
import dev.perceiver.model.adapter.OutputAdapter;
import dev.perceiver.model.adapter.QueryProvider;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.model.blocks.AttentionLayerSpec;
import dev.perceiver.model.blocks.AttentionSpec;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.nn.Module;

/**
 * Generic Perceiver IO decoder: output queries (O, F) from a query provider cross-attend to the latents (b, N, D);
 * the output adapter turns the result (b, O, F) into task output (b, O, E). Children
 * {@code output_query_provider}, {@code output_adapter}, {@code cross_attn}.
 */
public final class PerceiverDecoder extends Module {
    private final QueryProvider queryProvider;
    private final OutputAdapter outputAdapter;
    private final CrossAttentionLayer crossAttn;

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
        return outputAdapter.forward(crossAttn.forward(query, latents, null));
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
