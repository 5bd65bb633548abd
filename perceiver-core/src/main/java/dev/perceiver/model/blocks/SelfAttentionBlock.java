package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.position.RotaryPositionEmbedding;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Scopes;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack of {@code num_layers} self-attention layers (children {@code 0..num_layers-1}): (b, n, C) -> (b, n, C).
 * The rotary embedding, if given, is applied in the first {@code num_rotary_layers} layers (-1 = all layers).
 */
public final class SelfAttentionBlock extends Module {
    private final List<SelfAttentionLayer> layers = new ArrayList<>();
    private final int numRotaryLayers;

    /**
     * @param numLayers num_self_attention_layers_per_block, at least 1
     * @param numRotaryLayers layers that apply the rotary embedding (the first ones), or -1 for all layers
     * @param layer options of every layer
     */
    public SelfAttentionBlock(NDManager manager, int numLayers, int numRotaryLayers, AttentionLayerSpec layer) {
        super(manager);
        Checks.positive("num_self_attention_layers_per_block", numLayers);
        Checks.require(
                numRotaryLayers >= -1,
                "num_rotary_layers (" + numRotaryLayers + ") must be >= 0, or -1 for all layers");
        this.numRotaryLayers = numRotaryLayers;
        for (int i = 0; i < numLayers; i++) {
            layers.add(child(Integer.toString(i), new SelfAttentionLayer(manager, layer)));
        }
    }

    /** (b, n, C) -> (b, n, C) without cache. */
    public NDArray forward(NDArray x, NDArray padMask, RotaryPositionEmbedding rot) {
        return forward(x, padMask, rot, null).lastHiddenState();
    }

    /**
     * (b, n, C) -> (b, n, C). With {@code kvCache} (one cache per layer, see {@link #newKvCaches}), each layer attends
     * to its cached positions too and appends its new keys and values; with null, no caching.
     */
    public BlockOutput forward(NDArray x, NDArray padMask, RotaryPositionEmbedding rot, List<KvCache> kvCache) {
        if (kvCache != null && kvCache.size() != layers.size()) {
            throw new IllegalArgumentException(
                    "expected " + layers.size() + " kv caches (one per layer) but got " + kvCache.size());
        }
        // without a cache or a rotary embedding (whose tables are made lazily and shared by the layers), each layer's
        // temporaries are freed when it returns (inference only)
        boolean scoped = kvCache == null && rot == null && !isTraining();
        for (int i = 0; i < layers.size(); i++) {
            SelfAttentionLayer layer = layers.get(i);
            if (scoped) {
                NDArray in = x;
                x = Scopes.keep(() -> layer.forward(in, padMask, null, null).lastHiddenState());
            } else {
                x = layer.forward(x, padMask, usesRotary(i) ? rot : null, kvCache == null ? null : kvCache.get(i))
                        .lastHiddenState();
            }
        }
        return new BlockOutput(x, kvCache);
    }

    /** Empty decoding caches, one per layer, for a batch of {@code b} with room for {@code capacity} positions. */
    public List<KvCache> newKvCaches(NDManager m, long b, long capacity) {
        List<KvCache> caches = new ArrayList<>();
        for (SelfAttentionLayer layer : layers) {
            caches.add(layer.newKvCache(m, b, capacity));
        }
        return caches;
    }

    public int numLayers() {
        return layers.size();
    }

    /** The layers, in order. */
    public List<SelfAttentionLayer> layers() {
        return List.copyOf(layers);
    }

    /** Whether layer {@code i} applies the rotary embedding. */
    public boolean usesRotary(int i) {
        return numRotaryLayers == -1 || i < numRotaryLayers;
    }

    /** Output of a block: hidden state (b, n, C) and per-layer caches (or null). */
    public record BlockOutput(NDArray lastHiddenState, List<KvCache> kvCache) {}
}
