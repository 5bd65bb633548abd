package dev.perceiver.inference.decoding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.DecodingCache;
import dev.perceiver.nn.FrozenWeights;
import dev.perceiver.nn.IntraOpThreads;
import dev.perceiver.nn.Tensors;

/**
 * Autoregressive generation with a {@link CausalSequenceModel} (causal language model, symbolic audio model) under
 * the reference's window rules ({@link GenerationWindow}).
 *
 * <p>With the cache (default) the prompt batch (b, n) is processed once; each further step feeds only the last token
 * (b, 1) and extends the {@link DecodingCache} in place. Before a step, self-attention caches longer than
 * max_latents - 1 and the cross-attention cache longer than max_seq_len - 1 are cut to their right-most positions,
 * as the reference does. Without the cache, every step recomputes the window of the last min(total, max_seq_len)
 * tokens.
 *
 * <p>Weights: a call runs inside a {@link FrozenWeights} scope, which prepares stacked (and, with float16 steps,
 * float16) copies of the weights at their first use. A caller that generates many times with unchanged weights can
 * hold a scope open on its thread around the calls ({@code try (FrozenWeights w = FrozenWeights.of(model)) ...}): the
 * calls then share its copies instead of preparing their own.
 *
 * <p>Memory: each step runs in an {@link NDScope} that frees its temporaries; the cache storage is allocated once
 * (it grows only when a window outgrows it) and, with everything else, lives in a sub-manager of the model's manager
 * that is closed when the call returns, so the number of live arrays does not grow with the number of steps.
 */
public final class CausalGenerator {
    private final CausalSequenceModel model;

    public CausalGenerator(CausalSequenceModel model) {
        this.model = model;
    }

    /** Generates without keeping step logits. */
    public GenerationOutput generate(PromptBatch prompts, GenerationConfig config) {
        return generate(prompts, config, false, null);
    }

    /**
     * @param prompts left-padded prompts (b, n), 1 <= n <= max_seq_len
     * @param config generation options; num_latents must be in [1, max_latents] and leave a prefix of at most
     *        max_prefix_len
     * @param keepStepLogits whether to return the raw logits (b, steps, vocab_size) of every step
     * @param listener called after every step, or null
     * @return sequences (b, n + steps) and per-row generated counts
     */
    public GenerationOutput generate(
            PromptBatch prompts, GenerationConfig config, boolean keepStepLogits, StepListener listener) {
        if (model.isTraining()) {
            throw new IllegalArgumentException("model is in training mode; call setTraining(false) before generating");
        }
        int vocab = model.config().vocabSize();
        if (config.padTokenId() >= vocab) {
            throw new IllegalArgumentException(
                    "pad_token_id (" + config.padTokenId() + ") out of range [0, " + vocab + ") (vocab_size)");
        }
        GenerationWindow window = new GenerationWindow(model.config(), prompts.length(), config.numLatents());
        int b = prompts.batchSize();
        int n = prompts.length();
        int maxTotal = n + config.maxNewTokens();
        long[][] seq = new long[b][maxTotal];
        boolean[][] mask = new boolean[b][maxTotal];
        long[][] promptIds = prompts.ids();
        for (int r = 0; r < b; r++) {
            System.arraycopy(promptIds[r], 0, seq[r], 0, n);
            java.util.Arrays.fill(mask[r], prompts.padding(r), maxTotal, true); // mask: true = real token
        }
        TokenSelector selector = new TokenSelector(config);
        boolean[] finished = new boolean[b];
        int[] numGenerated = new int[b];
        float[][][] stepLogits = keepStepLogits ? new float[b][config.maxNewTokens()][] : null;
        int len = n;
        IntraOpThreads stepThreads = null;
        // a scope the caller holds open keeps its prepared weights across calls; else one for this call
        FrozenWeights held = FrozenWeights.active();
        boolean heldHalf = held != null && held.isHalfPrecision();
        try (FrozenWeights own = held == null ? FrozenWeights.of(model) : null;
                NDManager gm = model.manager().newSubManager();
                DecodingCache cache = config.useCache() ? newCache(gm, window, b, n, config) : null) {
            for (int step = 0; step < config.maxNewTokens(); step++) {
                float[][] logits;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    if (cache != null) {
                        CausalSequenceModel.LmOutput out;
                        boolean prompt = cache.isEmpty();
                        (own != null ? own : held).halfPrecision(!prompt && config.float16Steps());
                        if (!prompt && stepThreads == null && b <= 4) {
                            // after the prompt pass a step is one token per row: tiny operations run faster on one
                            // thread
                            stepThreads = IntraOpThreads.use(1);
                        }
                        out = cachedStep(gm, window, seq, mask, len, n, cache);
                        logits = lastLogits(out.logits());
                    } else {
                        int w = window.windowLength(len);
                        CausalSequenceModel.LmOutput out = model.forwardLogits(
                                ids(gm, seq, len - w, len),
                                window.prefixLen(len),
                                padMask(gm, mask, len - w, len),
                                null);
                        logits = lastLogits(out.logits());
                    }
                }
                long[] chosen = new long[b];
                for (int r = 0; r < b; r++) {
                    if (stepLogits != null) {
                        stepLogits[r][step] = logits[r];
                    }
                    long token = selector.select(logits[r]);
                    if (finished[r]) {
                        token = config.padTokenId();
                    } else {
                        numGenerated[r]++;
                        if (config.eosTokenId() != null && token == config.eosTokenId()) {
                            finished[r] = true;
                        }
                    }
                    chosen[r] = token;
                    seq[r][len] = token;
                }
                len++;
                if (listener != null) {
                    listener.onStep(step, chosen, finished.clone());
                }
                if (allTrue(finished)) {
                    break;
                }
            }
        } finally {
            if (stepThreads != null) {
                stepThreads.close();
            }
            if (held != null) {
                held.halfPrecision(heldHalf);
            }
        }
        int steps = len - n;
        long[][] sequences = new long[b][];
        for (int r = 0; r < b; r++) {
            sequences[r] = java.util.Arrays.copyOf(seq[r], len);
        }
        if (stepLogits != null && steps < config.maxNewTokens()) {
            for (int r = 0; r < b; r++) {
                stepLogits[r] = java.util.Arrays.copyOf(stepLogits[r], steps);
            }
        }
        return new GenerationOutput(sequences, n, numGenerated, stepLogits);
    }

    /**
     * An empty decoding cache sized for this generation: the window never holds more than max_seq_len positions,
     * of which at most max_latents are latents.
     */
    private DecodingCache newCache(
            NDManager gm, GenerationWindow window, int b, int promptLen, GenerationConfig config) {
        long total = (long) promptLen + config.maxNewTokens();
        long ca = Math.min(total, window.maxCrossAttentionCache() + 1L);
        long sa = Math.min(total, window.maxSelfAttentionCache() + 1L);
        return model.newDecodingCache(gm, b, ca, sa);
    }

    /**
     * One cached forward pass: the whole prompt when the cache is empty, else the last token, with the caches cut to
     * the window first.
     */
    private CausalSequenceModel.LmOutput cachedStep(
            NDManager gm,
            GenerationWindow window,
            long[][] seq,
            boolean[][] mask,
            int len,
            int promptLen,
            DecodingCache cache) {
        if (cache.isEmpty()) {
            return model.forwardLogits(
                    ids(gm, seq, 0, promptLen), window.initialPrefixLen(), padMask(gm, mask, 0, promptLen), cache);
        }
        cache.keepLast(window.maxCrossAttentionCache(), window.maxSelfAttentionCache());
        long saLen = cache.selfAttention().isEmpty()
                ? 0
                : cache.selfAttention().get(0).length();
        int w = (int) cache.crossAttention().length() + 1;
        int prefix = w - (int) saLen - 1;
        return model.forwardLogits(ids(gm, seq, len - 1, len), prefix, padMask(gm, mask, len - w, len), cache);
    }

    /** Token ids of columns [from, to) as int64 (b, to - from). */
    private static NDArray ids(NDManager m, long[][] seq, int from, int to) {
        int b = seq.length;
        int w = to - from;
        long[] flat = new long[b * w];
        for (int r = 0; r < b; r++) {
            System.arraycopy(seq[r], from, flat, r * w, w);
        }
        return Tensors.owned(m, flat, new Shape(b, w));
    }

    /** Pad mask (true = padding) of columns [from, to), or null when the window has no padding. */
    private static NDArray padMask(NDManager m, boolean[][] attention, int from, int to) {
        int b = attention.length;
        int w = to - from;
        boolean[] flat = new boolean[b * w];
        boolean any = false;
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < w; i++) {
                boolean pad = !attention[r][from + i];
                flat[r * w + i] = pad;
                any |= pad;
            }
        }
        return any ? Tensors.owned(m, flat, new Shape(b, w)) : null;
    }

    /** Logits of the last position: (b, l, vocab) -> b rows of vocab floats. */
    private static float[][] lastLogits(NDArray logits) {
        long[] s = logits.getShape().getShape();
        int b = (int) s[0];
        int v = (int) s[2];
        float[] flat = logits.get(new NDIndex(":, -1, :"))
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        float[][] out = new float[b][];
        for (int r = 0; r < b; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * v, (r + 1) * v);
        }
        return out;
    }

    private static boolean allTrue(boolean[] a) {
        for (boolean x : a) {
            if (!x) {
                return false;
            }
        }
        return true;
    }
}
