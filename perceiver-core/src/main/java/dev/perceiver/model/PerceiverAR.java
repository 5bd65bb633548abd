package dev.perceiver.model;

import dev.perceiver.nn.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.adapter.InputAdapter;
import dev.perceiver.adapter.RotarySupport;
import dev.perceiver.blocks.AttentionOutput;
import dev.perceiver.blocks.CrossAttentionLayer;
import dev.perceiver.blocks.KvCache;
import dev.perceiver.blocks.SelfAttentionBlock;
import dev.perceiver.config.PerceiverARConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.position.Positions;
import dev.perceiver.position.RotaryPositionEmbedding;

import java.util.ArrayList;
import java.util.List;

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

    public <A extends InputAdapter & RotarySupport> PerceiverAR(NDManager manager, A inputAdapter,
            PerceiverARConfig config) {
        super(manager);
        this.inputAdapter = child("input_adapter", inputAdapter);
        this.rotary = inputAdapter;
        int c = inputAdapter.numInputChannels();
        double init = config.initScale();
        crossAttention = child("cross_attention", new CrossAttentionLayer(manager, config.numHeads(), c, c, null,
                null, config.maxHeadsParallel(), true, config.crossAttentionWideningFactor(),
                config.postAttentionDropout(), config.residualDropout(), true, false, true, false, init));
        selfAttention = child("self_attention", new SelfAttentionBlock(manager, config.numSelfAttentionLayers(),
                config.numHeads(), c, null, null, config.numSelfAttentionRotaryLayers(), null, true,
                config.selfAttentionWideningFactor(), config.postAttentionDropout(), config.residualDropout(), false,
                false, false, init));
        crossAttentionDropout = config.crossAttentionDropout();
    }

    /** Seeds the random choice of dropped prefix positions (training only). */
    public void setDropoutSeed(long seed) {
        dropoutRandom = new java.util.Random(seed);
    }

    /**
     * @param x token ids (b, n), or only the new tokens (b, n_new) when the cache is non-empty
     * @param prefixLen number of prefix positions, 0 <= prefix_len < n (n includes cached positions)
     * @param padMask boolean (b, n), true = padding (left padding only), or null
     * @param kvCache null (no caching), an empty list (start caching) or the caches of the previous call
     * @return hidden state of the latent positions (b, n - prefix_len, C) and the updated caches
     */
    public Output forward(NDArray x, int prefixLen, NDArray padMask, List<KvCache> kvCache) {
        NDManager m = x.getManager();
        long b = x.getShape().get(0);
        boolean cached = kvCache != null && !kvCache.isEmpty();
        long n = cached ? kvCache.get(0).length() + x.getShape().get(1) : x.getShape().get(1);
        if (prefixLen < 0 || prefixLen >= n) {
            throw new IllegalArgumentException("prefix_len (" + prefixLen + ") out of valid range [0.." + n + ")");
        }
        NDArray shift = null;
        if (padMask != null) {
            if (!padMask.getShape().equals(new Shape(b, n))) {
                throw new IllegalArgumentException(
                        "pad_mask shape " + padMask.getShape() + " must be (batch, n) = (" + b + ", " + n + ")");
            }
            shift = padMask.toType(DataType.INT64, false).sum(new int[] {1}, true);
        }
        RotarySupport.Adapted adapted = rotary.forwardWithRotary(x, Positions.positions(m, b, n, shift));
        NDArray h = adapted.x();
        NDArray frq = adapted.frqPosEnc();
        NDArray xLatent;
        NDArray xPrefix;
        if (cached) {
            xLatent = h;
            xPrefix = h.get(":, :0");
        } else {
            xLatent = h.get(":, " + prefixLen + ":");
            xPrefix = h.get(":, :" + prefixLen);
        }
        NDArray frqLatent = frq.get(":, " + prefixLen + ":");
        NDArray frqPrefix = frq.get(":, :" + prefixLen);
        NDArray padLatent = padMask == null ? null : padMask.get(":, " + prefixLen + ":");
        NDArray padPrefix = padMask == null ? null : padMask.get(":, :" + prefixLen);

        if (isTraining() && prefixLen > 0 && crossAttentionDropout > 0.0) {
            if (kvCache != null) {
                throw new IllegalArgumentException("cross-attention dropout is not supported with a kv cache");
            }
            int keep = prefixLen - (int) (prefixLen * crossAttentionDropout);
            NDArray keepIdx = keepIndices(m, b, prefixLen, keep);
            xPrefix = gatherPositions(xPrefix, keepIdx);
            frqPrefix = gatherPositions(frqPrefix, keepIdx);
            if (padPrefix != null) {
                padPrefix = padPrefix.toType(DataType.INT64, false).gather(keepIdx, 1).toType(DataType.BOOLEAN, false);
            }
        }
        NDArray frqK = frqPrefix.concat(frqLatent, 1);
        NDArray pad = padMask == null ? null : padPrefix.concat(padLatent, 1);

        KvCache caCache = null;
        List<KvCache> saCache = null;
        List<KvCache> updated = null;
        if (kvCache != null) {
            updated = new ArrayList<>();
            if (kvCache.isEmpty()) {
                caCache = crossAttention.emptyKvCache(m, b);
                saCache = new ArrayList<>();
            } else {
                caCache = kvCache.get(0);
                saCache = new ArrayList<>(kvCache.subList(1, kvCache.size()));
            }
        }
        AttentionOutput ca = crossAttention.forward(xLatent, null, xPrefix, pad,
                new RotaryPositionEmbedding(frqLatent, true), new RotaryPositionEmbedding(frqK, true), caCache);
        if (updated != null) {
            updated.add(ca.kvCache());
        }
        SelfAttentionBlock.BlockOutput sa = selfAttention.forward(ca.lastHiddenState(), null,
                new RotaryPositionEmbedding(frqLatent, true), saCache);
        if (updated != null) {
            updated.addAll(sa.kvCache());
        }
        return new Output(sa.lastHiddenState(), updated);
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
        NDArray full = idx.expandDims(-1).broadcast(new Shape(idx.getShape().get(0), idx.getShape().get(1), c));
        return x.gather(full, 1);
    }

    public InputAdapter inputAdapter() {
        return inputAdapter;
    }

    /** Hidden state of the latent positions (b, n_latent, C) and the updated kv caches (or null). */
    public record Output(NDArray lastHiddenState, List<KvCache> kvCache) {
    }

}
