package dev.perceiver.tools.bench;

import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;

/**
 * Matrix-multiply FLOPs of one forward pass counted from a model config, as WORKLOADS.md counts them: every linear
 * layer (2 x rows x in x out) and both attention products (2 x queries x keys x qk channels for the logits,
 * 2 x queries x keys x v channels for the weighted values), summed over heads; element-wise work (norms, softmax,
 * position encodings, embeddings) is not counted. The channel defaults are the reference's: qk channels = the
 * query input channels, v channels = qk channels, output channels = the query input channels, MLP hidden =
 * widening factor x input channels. A training step counts 3 x the forward pass (backward = 2 x forward).
 */
public final class MatmulFlops {
    private MatmulFlops() {}

    /** {@code rows x in -> rows x out}. */
    static long linear(long rows, long in, long out) {
        return 2L * rows * in * out;
    }

    /** The MLP of an attention layer: in -> widening x in -> in, on {@code rows} rows. */
    static long mlp(long rows, long channels, long widening) {
        return linear(rows, channels, widening * channels) + linear(rows, widening * channels, channels);
    }

    /**
     * One cross-attention layer (attention and MLP): {@code nq} queries of {@code qIn} channels attend to
     * {@code nkv} positions of {@code kvIn} channels; {@code projectedKv} of the keys/values are projected in this
     * pass (fewer than nkv when the rest comes from a kv cache).
     */
    static long crossAttentionLayer(
            long nq,
            long nkv,
            long projectedKv,
            long qIn,
            long kvIn,
            Integer qkChannels,
            Integer vChannels,
            long widening) {
        long qk = qkChannels == null ? qIn : qkChannels;
        long v = vChannels == null ? qk : vChannels;
        return linear(nq, qIn, qk)
                + linear(projectedKv, kvIn, qk)
                + linear(projectedKv, kvIn, v)
                + 2L * nq * nkv * qk
                + 2L * nq * nkv * v
                + linear(nq, v, qIn)
                + mlp(nq, qIn, widening);
    }

    /** One self-attention layer on {@code n} queries attending to {@code keys} positions ({@code n} projected). */
    static long selfAttentionLayer(
            long n, long keys, long channels, Integer qkChannels, Integer vChannels, long widening) {
        return crossAttentionLayer(n, keys, n, channels, channels, qkChannels, vChannels, widening);
    }

    /** A Perceiver IO encoder: M x C input, N x D latents. */
    static long encoder(EncoderConfig e, long m, long c, long n, long d, Integer crossQkChannels) {
        long cross = crossAttentionLayer(
                n, m, m, d, c, crossQkChannels, e.numCrossAttentionVChannels(), e.crossAttentionWideningFactor());
        long self = selfAttentionLayer(
                n,
                n,
                d,
                e.numSelfAttentionQkChannels(),
                e.numSelfAttentionVChannels(),
                e.selfAttentionWideningFactor());
        return e.numCrossAttentionLayers() * cross
                + (long) e.numSelfAttentionBlocks() * e.numSelfAttentionLayersPerBlock() * self;
    }

    /** A Perceiver IO decoder: O x F output queries attend to N x D latents (output adapter not included). */
    static long decoder(DecoderConfig d, long o, long f, long n, long latentChannels) {
        return crossAttentionLayer(
                o,
                n,
                n,
                f,
                latentChannels,
                d.numCrossAttentionQkChannels(),
                d.numCrossAttentionVChannels(),
                d.crossAttentionWideningFactor());
    }

    /**
     * Forward FLOPs per image of the image classifier: M = prod(spatial) pixels of C = channels + dims x
     * (2 x num_frequency_bands + 1) channels; cross-attention qk channels default to C (as the reference).
     */
    public static long imageClassifier(PerceiverIOConfig<ImageEncoderConfig, ClassificationDecoderConfig> config) {
        ImageEncoderConfig enc = config.encoder();
        int[] shape = enc.imageShape();
        long m = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            m *= shape[i];
        }
        long c = shape[shape.length - 1] + (long) (shape.length - 1) * (2L * enc.numFrequencyBands() + 1);
        EncoderConfig e = enc.base();
        Integer qk =
                e.numCrossAttentionQkChannels() == null ? Integer.valueOf((int) c) : e.numCrossAttentionQkChannels();
        ClassificationDecoderConfig dec = config.decoder();
        long o = dec.numOutputQueries();
        long f = dec.numOutputQueryChannels();
        return encoder(e, m, c, config.numLatents(), config.numLatentChannels(), qk)
                + decoder(dec.base(), o, f, config.numLatents(), config.numLatentChannels())
                + linear(o, f, dec.numClasses());
    }

    /**
     * Forward FLOPs per sequence of {@code seqLen} tokens of the masked language model; the decoder computes all
     * max_seq_len output queries (F = num_input_channels when tied, else num_output_query_channels) and their
     * logits.
     */
    public static long maskedLanguageModel(PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig> config, int seqLen) {
        TextEncoderConfig enc = config.encoder();
        TextDecoderConfig dec = config.decoder();
        long f = dec.numOutputQueryChannels() == null ? enc.numInputChannels() : dec.numOutputQueryChannels();
        long o = dec.maxSeqLen();
        return encoder(
                        enc.base(),
                        seqLen,
                        enc.numInputChannels(),
                        config.numLatents(),
                        config.numLatentChannels(),
                        enc.base().numCrossAttentionQkChannels())
                + decoder(dec.base(), o, f, config.numLatents(), config.numLatentChannels())
                + linear(o, f, dec.vocabSize());
    }

    /**
     * Forward FLOPs per sequence of Perceiver AR (causal sequence model) on n tokens with {@code prefixLen} prefix
     * positions: the n - prefix_len latents cross-attend to the kept prefix positions (in training, a fraction
     * cross_attention_dropout of the prefix is dropped, as the model does) and to themselves, pass the
     * self-attention layers, and produce logits. The causal masks do not change the count (full products).
     */
    public static long perceiverAr(PerceiverARConfig c, int n, int prefixLen, boolean training) {
        long latents = n - prefixLen;
        long kept = training ? prefixLen - (long) (prefixLen * c.crossAttentionDropout()) : prefixLen;
        long ch = c.numChannels();
        long keys = kept + latents;
        return crossAttentionLayer(latents, keys, keys, ch, ch, null, null, c.crossAttentionWideningFactor())
                + c.numSelfAttentionLayers()
                        * selfAttentionLayer(latents, latents, ch, null, null, c.selfAttentionWideningFactor())
                + linear(latents, ch, c.vocabSize());
    }

    /**
     * FLOPs of greedy generation of {@code newTokens} tokens with the kv cache: one pass over the prompt (prefix =
     * prompt - num_latents), then one token per step whose keys are the cached positions (cut to max_seq_len - 1
     * for cross-attention and max_latents - 1 for self-attention before the step, as the generator does) plus
     * itself.
     */
    public static long cachedGeneration(PerceiverARConfig c, int promptLen, int numLatents, int newTokens) {
        int latents = Math.min(promptLen, numLatents);
        long total = perceiverAr(c, promptLen, promptLen - latents, false);
        long ch = c.numChannels();
        long crossCache = promptLen;
        long selfCache = latents;
        for (int step = 1; step < newTokens; step++) {
            crossCache = Math.min(crossCache, c.maxSeqLen() - 1L);
            selfCache = Math.min(selfCache, c.maxLatents() - 1L);
            total += crossAttentionLayer(1, crossCache + 1, 1, ch, ch, null, null, c.crossAttentionWideningFactor())
                    + c.numSelfAttentionLayers()
                            * crossAttentionLayer(
                                    1, selfCache + 1, 1, ch, ch, null, null, c.selfAttentionWideningFactor())
                    + linear(1, ch, c.vocabSize());
            crossCache++;
            selfCache++;
        }
        return total;
    }
}
