package dev.perceiver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.FactoredInput;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.model.blocks.AttentionLayerSpec;
import dev.perceiver.model.blocks.AttentionSpec;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.blocks.KeyValues;
import dev.perceiver.model.blocks.SelfAttentionBlock;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Scopes;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Generic Perceiver IO encoder with repeated cross-attention. The input adapter turns task input into (b, M, C);
 * N learned latents of D channels cross-attend to it, then L = {@code num_self_attention_blocks} self-attention
 * blocks process the latents; cross-attention is repeated before blocks 2..P (P = {@code num_cross_attention_layers}
 * <= L). Cross-attention layers 2..P share weights ({@code cross_attn_n}), as do blocks 2..L
 * ({@code self_attn_n}); the first layer/block shares them too when {@code first_*_shared}, and only otherwise has
 * parameters of its own. Output: latents (b, N, D).
 */
public final class PerceiverEncoder extends Module {
    private final TrainableQueryProvider latentProvider;
    private final InputAdapter inputAdapter;
    private final CrossAttentionLayer crossAttn1;
    private final SelfAttentionBlock selfAttn1;
    private final CrossAttentionLayer crossAttnN;
    private final SelfAttentionBlock selfAttnN;
    private final int numCrossAttentionLayers;
    private final int numSelfAttentionBlocks;
    private final boolean factoredInput;

    /**
     * An encoder whose cross-attention uses the adapter's factored input when it provides one (see
     * {@link #PerceiverEncoder(NDManager, InputAdapter, int, int, EncoderConfig, boolean)}).
     *
     * @param inputAdapter produces the (b, M, C) input, C = its num_input_channels
     * @param numLatents N
     * @param numLatentChannels D
     * @param config encoder options (reference EncoderConfig)
     */
    public PerceiverEncoder(
            NDManager manager, InputAdapter inputAdapter, int numLatents, int numLatentChannels, EncoderConfig config) {
        this(manager, inputAdapter, numLatents, numLatentChannels, config, true);
    }

    /**
     * @param inputAdapter produces the (b, M, C) input, C = its num_input_channels
     * @param numLatents N
     * @param numLatentChannels D
     * @param config encoder options (reference EncoderConfig)
     * @param factoredInput whether cross-attention attends to the adapter's factored input, when the adapter provides
     *     one, without forming the input's keys and values (faster, the same function up to float rounding; see
     *     {@link dev.perceiver.model.blocks.MultiHeadAttention#forwardFactored}); false always forms the adapted
     *     input (b, M, C) and its keys and values, as the reference does
     */
    public PerceiverEncoder(
            NDManager manager,
            InputAdapter inputAdapter,
            int numLatents,
            int numLatentChannels,
            EncoderConfig config,
            boolean factoredInput) {
        super(manager);
        this.factoredInput = factoredInput;
        double init = config.initScale();
        latentProvider =
                child("latent_provider", new TrainableQueryProvider(manager, numLatents, numLatentChannels, init));
        this.inputAdapter = child("input_adapter", inputAdapter);
        numCrossAttentionLayers = config.numCrossAttentionLayers();
        numSelfAttentionBlocks = config.numSelfAttentionBlocks();
        crossAttn1 = child("cross_attn_1", crossAttention(manager, inputAdapter, numLatentChannels, config));
        selfAttn1 = child("self_attn_1", selfAttention(manager, numLatentChannels, config));
        boolean extraCross = numCrossAttentionLayers > 1 && !config.firstCrossAttentionLayerShared();
        boolean extraSelf = numSelfAttentionBlocks > 1 && !config.firstSelfAttentionBlockShared();
        crossAttnN = extraCross
                ? child("cross_attn_n", crossAttention(manager, inputAdapter, numLatentChannels, config))
                : crossAttn1;
        selfAttnN = extraSelf ? child("self_attn_n", selfAttention(manager, numLatentChannels, config)) : selfAttn1;
    }

    private static CrossAttentionLayer crossAttention(NDManager m, InputAdapter adapter, int d, EncoderConfig c) {
        AttentionSpec attention = AttentionSpec.builder()
                .numHeads(c.numCrossAttentionHeads())
                .numQInputChannels(d)
                .numKvInputChannels(adapter.numInputChannels())
                .numQkChannels(c.numCrossAttentionQkChannels())
                .numVChannels(c.numCrossAttentionVChannels())
                .dropout(c.dropout())
                .initScale(c.initScale())
                .build();
        return new CrossAttentionLayer(
                m,
                AttentionLayerSpec.builder()
                        .attention(attention)
                        .wideningFactor(c.crossAttentionWideningFactor())
                        .build());
    }

    private static SelfAttentionBlock selfAttention(NDManager m, int d, EncoderConfig c) {
        AttentionSpec attention = AttentionSpec.builder()
                .numHeads(c.numSelfAttentionHeads())
                .numChannels(d)
                .numQkChannels(c.numSelfAttentionQkChannels())
                .numVChannels(c.numSelfAttentionVChannels())
                .dropout(c.dropout())
                .initScale(c.initScale())
                .build();
        return new SelfAttentionBlock(
                m,
                c.numSelfAttentionLayersPerBlock(),
                1,
                AttentionLayerSpec.builder()
                        .attention(attention)
                        .wideningFactor(c.selfAttentionWideningFactor())
                        .build());
    }

    /** Task input -> latents (b, N, D). */
    public NDArray forward(NDArray x, NDArray padMask) {
        return forwardWithAdapted(x, padMask).latents();
    }

    /**
     * Task input -> latents (b, N, D) together with the adapted input (b, M, C). When the adapter provides a
     * factored input (per-example channels and a shared position encoding) and this encoder uses it, cross-attention
     * never forms its keys and values (see {@link dev.perceiver.model.blocks.MultiHeadAttention#forwardFactored});
     * otherwise they are computed once per distinct cross-attention layer and reused by shared layers.
     */
    public EncoderOutput forwardWithAdapted(NDArray x, NDArray padMask) {
        FactoredInput factored = factoredInput ? inputAdapter.forwardFactored(x) : null;
        NDArray adapted = factored == null ? inputAdapter.forward(x) : null;
        long b = factored == null
                ? adapted.getShape().get(0)
                : factored.perExample().getShape().get(0);
        long m = factored == null
                ? adapted.getShape().get(1)
                : factored.perExample().getShape().get(1);
        if (padMask != null
                && (padMask.getShape().dimension() != 2
                        || padMask.getShape().get(0) != b
                        || padMask.getShape().get(1) != m)) {
            throw new IllegalArgumentException(
                    "pad_mask shape " + padMask.getShape() + " must be (batch, M) = (" + b + ", " + m + ")");
        }
        Map<CrossAttentionLayer, KeyValues> keyValues = new IdentityHashMap<>();
        BiFunction<CrossAttentionLayer, NDArray, NDArray> cross = (layer, q) -> {
            if (factored != null) {
                // inference frees the layer's temporaries (attention scores over all M inputs) when it returns
                return isTraining()
                        ? layer.forward(q, factored, padMask)
                        : Scopes.keep(() -> layer.forward(q, factored, padMask));
            }
            // keys and values outlive the layer: shared cross-attention layers reuse them
            KeyValues kv =
                    keyValues.computeIfAbsent(layer, l -> l.crossAttention().keyValues(adapted));
            return isTraining() ? layer.forward(q, kv, padMask) : Scopes.keep(() -> layer.forward(q, kv, padMask));
        };
        NDArray latents = latentProvider.query(null);
        latents = cross.apply(crossAttn1, latents);
        latents = selfAttn1.forward(latents, null, null);
        for (int i = 1; i < numSelfAttentionBlocks; i++) {
            if (i < numCrossAttentionLayers) {
                latents = cross.apply(crossAttnN, latents);
            }
            latents = selfAttnN.forward(latents, null, null);
        }
        return new EncoderOutput(latents, adapted, factored);
    }

    public InputAdapter inputAdapter() {
        return inputAdapter;
    }

    public TrainableQueryProvider latentProvider() {
        return latentProvider;
    }

    /** Whether cross-attention uses the adapter's factored input when it provides one. */
    public boolean factoredInput() {
        return factoredInput;
    }

    /** Latents (b, N, D) and the adapted input (b, M, C), formed only when asked for. */
    public static final class EncoderOutput {
        private final NDArray latents;
        private NDArray adapted;
        private final FactoredInput factored;

        EncoderOutput(NDArray latents, NDArray adapted, FactoredInput factored) {
            this.latents = latents;
            this.adapted = adapted;
            this.factored = factored;
        }

        /** Latents (b, N, D). */
        public NDArray latents() {
            return latents;
        }

        /** Adapted input (b, M, C). */
        public NDArray adapted() {
            if (adapted == null) {
                adapted = factored.materialize();
            }
            return adapted;
        }
    }

    /** The cross-attention layer applied before self-attention block {@code block} (0-based), or null. */
    public CrossAttentionLayer crossAttentionBefore(int block) {
        if (block >= numCrossAttentionLayers) {
            return null;
        }
        return block == 0 ? crossAttn1 : crossAttnN;
    }

    /** Self-attention block {@code block} (0-based, < num_self_attention_blocks); blocks 2..L share weights. */
    public SelfAttentionBlock selfAttentionBlock(int block) {
        return block == 0 ? selfAttn1 : selfAttnN;
    }

    /** L = num_self_attention_blocks. */
    public int numSelfAttentionBlocks() {
        return numSelfAttentionBlocks;
    }
}
