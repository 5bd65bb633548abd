package dev.perceiver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.TiedTokenOutputAdapter;
import dev.perceiver.model.adapter.TokenInputAdapterWithRotarySupport;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.nn.LayerNorm;

/**
 * Perceiver AR over token sequences (causal language model, symbolic audio model): token input adapter with rotary
 * support (rotating half of each head's channels when abs_pos_emb, all otherwise), optional output layer norm
 * {@code out_norm}, and logits tied to the token embedding ({@code output_adapter}). Input (b, n) token ids, output
 * logits (b, n - prefix_len, vocab_size).
 */
public class CausalSequenceModel extends PerceiverAR {
    private final PerceiverARConfig config;
    private final TokenInputAdapterWithRotarySupport tokenAdapter;
    private final LayerNorm outNorm;
    private final TiedTokenOutputAdapter outputAdapter;

    public CausalSequenceModel(NDManager manager, PerceiverARConfig config) {
        this(manager, config, adapter(manager, config));
    }

    private CausalSequenceModel(
            NDManager manager, PerceiverARConfig config, TokenInputAdapterWithRotarySupport adapter) {
        super(manager, adapter, config);
        this.config = config;
        this.tokenAdapter = adapter;
        outNorm = config.outputNorm() ? child("out_norm", new LayerNorm(manager, config.numChannels())) : null;
        outputAdapter = child(
                "output_adapter", new TiedTokenOutputAdapter(manager, adapter.txtEmbedding(), config.outputBias()));
    }

    private static TokenInputAdapterWithRotarySupport adapter(NDManager manager, PerceiverARConfig c) {
        int rotated = c.numChannels() / c.numHeads();
        if (c.absPosEmb()) {
            rotated /= 2;
        }
        return new TokenInputAdapterWithRotarySupport(
                manager, rotated, c.vocabSize(), c.maxSeqLen(), c.numChannels(), c.absPosEmb(), c.initScale());
    }

    /**
     * @param x token ids (b, n) (only the new ones when the cache is non-empty)
     * @param prefixLen 0 <= prefix_len <= max_prefix_len and < n
     * @param padMask boolean (b, n), true = left padding, or null
     * @param cache null (no caching) or a decoding cache (see {@link #newDecodingCache})
     * @return logits (b, n - prefix_len, vocab_size), hidden state and the cache
     */
    public LmOutput forwardLogits(NDArray x, int prefixLen, NDArray padMask, DecodingCache cache) {
        if (prefixLen > config.maxPrefixLen()) {
            throw new IllegalArgumentException(
                    "prefix_len (" + prefixLen + ") exceeds max_prefix_len (" + config.maxPrefixLen() + ")");
        }
        Output out = forward(x, prefixLen, padMask, cache);
        NDArray h = out.lastHiddenState();
        if (outNorm != null) {
            h = outNorm.forward(h);
        }
        return new LmOutput(outputAdapter.forward(h), h, out.cache());
    }

    public PerceiverARConfig config() {
        return config;
    }

    public TokenInputAdapterWithRotarySupport tokenAdapter() {
        return tokenAdapter;
    }

    /** The output layer norm (out_norm), or null without one. */
    public LayerNorm outNorm() {
        return outNorm;
    }

    /** The logits layer (output_adapter), tied to the token embedding. */
    public TiedTokenOutputAdapter outputAdapter() {
        return outputAdapter;
    }

    /** Logits (b, n_latent, vocab), normalised hidden state (b, n_latent, C), decoding cache (or null). */
    public record LmOutput(NDArray logits, NDArray lastHiddenState, DecodingCache cache) {}
}
