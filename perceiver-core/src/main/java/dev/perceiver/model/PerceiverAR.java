package dev.perceiver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.adapter.RotarySupport;
import dev.perceiver.model.blocks.AttentionLayerSpec;
import dev.perceiver.model.blocks.AttentionOutput;
import dev.perceiver.model.blocks.AttentionSpec;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.blocks.SelfAttentionBlock;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.position.Positions;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Tensors;

/**
 * Perceiver AR: a sequence (b, n) is split into a prefix of {@code prefix_len} positions and n - prefix_len latent
 * positions. The latents cross-attend causally to [prefix, latents] and then pass a causal self-attention block;
 * queries and keys carry rotary position embeddings (right-aligned). With left padding (pad mask true = pad), the
 * positions of each sequence are shifted so that its first real token has position 0. During training, a fraction
 * {@code cross_attention_dropout} of the prefix positions is dropped at random. Output (b, n - prefix_len, C).
 * Children {@code input_adapter}, {@code cross_attention}, {@code self_attention}.
 */
public class PerceiverAR extends Module {
    private final InputAdapter inputAdapter;
    private final RotarySupport rotary;
    private final CrossAttentionLayer crossAttention;
    private final SelfAttentionBlock selfAttention;
    private final double crossAttentionDropout;
    private java.util.Random dropoutRandom = new java.util.Random();

    public <A extends InputAdapter & RotarySupport> PerceiverAR(
            NDManager manager, A inputAdapter, PerceiverARConfig config) {
        super(manager);
        this.inputAdapter = child("input_adapter", inputAdapter);
        this.rotary = inputAdapter;
        int c = inputAdapter.numInputChannels();
        double init = config.initScale();
        AttentionSpec.Builder attention = AttentionSpec.builder()
                .numHeads(config.numHeads())
                .numChannels(c)
                .causalAttention(true)
                .dropout(config.postAttentionDropout())
                .qkvBias(false)
                .initScale(init);
        crossAttention = child(
                "cross_attention",
                new CrossAttentionLayer(
                        manager,
                        AttentionLayerSpec.builder()
                                .attention(attention
                                        .maxHeadsParallel(config.maxHeadsParallel())
                                        .outBias(true)
                                        .build())
                                .wideningFactor(config.crossAttentionWideningFactor())
                                .residualDropout(config.residualDropout())
                                .mlpBias(false)
                                .build()));
        selfAttention = child(
                "self_attention",
                new SelfAttentionBlock(
                        manager,
                        config.numSelfAttentionLayers(),
                        config.numSelfAttentionRotaryLayers(),
                        AttentionLayerSpec.builder()
                                .attention(attention
                                        .maxHeadsParallel(null)
                                        .outBias(false)
                                        .build())
                                .wideningFactor(config.selfAttentionWideningFactor())
                                .residualDropout(config.residualDropout())
                                .mlpBias(false)
                                .build()));
        crossAttentionDropout = config.crossAttentionDropout();
    }

    /** Seeds the random choice of dropped prefix positions (training only). */
    public void setDropoutSeed(long seed) {
        dropoutRandom = new java.util.Random(seed);
    }

    /**
     * @param x token ids (b, n), or only the new tokens (b, n_new) when the cache is not empty
     * @param prefixLen number of prefix positions, 0 <= prefix_len < n (n includes cached positions)
     * @param padMask boolean (b, n), true = padding (left padding only), or null
     * @param cache null (no caching), or a decoding cache (see {@link #newDecodingCache}): an empty one is filled
     *        with the keys and values of this call, a filled one supplies those of earlier calls and is extended
     * @return hidden state of the latent positions (b, n - prefix_len, C) and the cache (or null)
     */
    public Output forward(NDArray x, int prefixLen, NDArray padMask, DecodingCache cache) {
        NDManager m = x.getManager();
        long b = x.getShape().get(0);
        boolean cached = cache != null && !cache.isEmpty();
        long n = cached
                ? cache.crossAttention().length() + x.getShape().get(1)
                : x.getShape().get(1);
        if (prefixLen < 0 || prefixLen >= n) {
            throw new IllegalArgumentException("prefix_len (" + prefixLen + ") out of valid range [0.." + n + ")");
        }
        if (padMask != null && !padMask.getShape().equals(new Shape(b, n))) {
            throw new IllegalArgumentException(
                    "pad_mask shape " + padMask.getShape() + " must be (batch, n) = (" + b + ", " + n + ")");
        }
        if (cache != null && isTraining() && prefixLen > 0 && crossAttentionDropout > 0.0) {
            throw new IllegalArgumentException("cross-attention dropout is not supported with a kv cache");
        }
        if (cached) {
            return step(x, padMask, cache);
        }
        NDArray shift =
                padMask == null ? null : padMask.toType(DataType.INT64, false).sum(new int[] {1}, true);
        RotarySupport.Adapted adapted = rotary.forwardWithRotary(x, Positions.positions(m, b, n, shift));
        NDArray h = adapted.x();
        NDArray frq = adapted.frqPosEnc();
        NDArray xLatent = h.get(":, " + prefixLen + ":");
        NDArray xPrefix = h.get(":, :" + prefixLen);
        NDArray frqLatent = frq.get(":, " + prefixLen + ":");
        NDArray frqK = frq;
        NDArray pad = padMask;
        if (isTraining() && prefixLen > 0 && crossAttentionDropout > 0.0) {
            int keep = prefixLen - (int) (prefixLen * crossAttentionDropout);
            NDArray keepIdx = keepIndices(m, b, prefixLen, keep);
            xPrefix = gatherPositions(xPrefix, keepIdx);
            frqK = gatherPositions(frq.get(":, :" + prefixLen), keepIdx).concat(frqLatent, 1);
            if (padMask != null) {
                pad = padMask.get(":, :" + prefixLen)
                        .toType(DataType.INT64, false)
                        .gather(keepIdx, 1)
                        .toType(DataType.BOOLEAN, false)
                        .concat(padMask.get(":, " + prefixLen + ":"), 1);
            }
        }
        RotaryPositionEmbedding rotLatent = new RotaryPositionEmbedding(frqLatent, true);
        AttentionOutput ca = crossAttention.forward(
                xLatent,
                null,
                xPrefix,
                pad,
                rotLatent,
                new RotaryPositionEmbedding(frqK, true),
                cache == null ? null : cache.crossAttention());
        SelfAttentionBlock.BlockOutput sa = selfAttention.forward(
                ca.lastHiddenState(), null, rotLatent, cache == null ? null : cache.selfAttention());
        if (cache != null) {
            cache.advance(n, shift == null ? new long[(int) b] : shift.toLongArray());
        }
        return new Output(sa.lastHiddenState(), cache);
    }

    /**
     * A decoding step: the new tokens x (b, n_new) are latent positions that attend to the cached positions and to
     * each other. Positions come from the cache (see {@link DecodingCache#absolutePositions} and
     * {@link DecodingCache#rotaryPositions}).
     */
    private Output step(NDArray x, NDArray padMask, DecodingCache cache) {
        NDManager m = x.getManager();
        int b = (int) x.getShape().get(0);
        int nNew = (int) x.getShape().get(1);
        Shape shape = new Shape(b, nNew);
        NDArray h = rotary.forward(x, Tensors.owned(m, cache.absolutePositions(nNew), shape));
        NDArray angles = rotary.frqPosEncoding().forward(Tensors.owned(m, cache.rotaryPositions(nNew), shape));
        RotaryPositionEmbedding rot = new RotaryPositionEmbedding(angles, true);
        AttentionOutput ca = crossAttention.forward(h, null, null, padMask, rot, rot, cache.crossAttention());
        SelfAttentionBlock.BlockOutput sa =
                selfAttention.forward(ca.lastHiddenState(), null, rot, cache.selfAttention());
        cache.advance(nNew);
        return new Output(sa.lastHiddenState(), cache);
    }

    /**
     * An empty decoding cache for a batch of {@code b}, with room for {@code crossAttentionCapacity} window positions
     * and {@code selfAttentionCapacity} latent positions before its storage grows. Close it after use.
     */
    public DecodingCache newDecodingCache(
            NDManager m, long b, long crossAttentionCapacity, long selfAttentionCapacity) {
        return new DecodingCache(
                crossAttention.newKvCache(m, b, crossAttentionCapacity),
                selfAttention.newKvCaches(m, b, selfAttentionCapacity));
    }

    /** Sorted indices (b, keep) of prefix positions to keep, chosen uniformly without replacement per row. */
    private NDArray keepIndices(NDManager m, long b, int prefixLen, int keep) {
        long[] idx = new long[(int) b * keep];
        for (int r = 0; r < b; r++) {
            int[] perm = new int[prefixLen];
            for (int i = 0; i < prefixLen; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < keep; i++) {
                int j = i + dropoutRandom.nextInt(prefixLen - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            java.util.Arrays.sort(perm, 0, keep);
            for (int i = 0; i < keep; i++) {
                idx[r * keep + i] = perm[i];
            }
        }
        return Tensors.owned(m, idx, new Shape(b, keep));
    }

    /** (b, p, c) gathered at (b, k) indices along axis 1 -> (b, k, c). */
    private static NDArray gatherPositions(NDArray x, NDArray idx) {
        long c = x.getShape().get(2);
        NDArray full = idx.expandDims(-1)
                .broadcast(new Shape(idx.getShape().get(0), idx.getShape().get(1), c));
        return x.gather(full, 1);
    }

    public InputAdapter inputAdapter() {
        return inputAdapter;
    }

    /** The input adapter as the source of the rotary embeddings' frequency encoding. */
    public RotarySupport rotarySupport() {
        return rotary;
    }

    /** The cross-attention layer (cross_attention). */
    public CrossAttentionLayer crossAttention() {
        return crossAttention;
    }

    /** The self-attention block (self_attention). */
    public SelfAttentionBlock selfAttention() {
        return selfAttention;
    }

    /** Hidden state of the latent positions (b, n_latent, C) and the decoding cache (or null). */
    public record Output(NDArray lastHiddenState, DecodingCache cache) {}
}
