package dev.perceiver.inference.decoding;

import dev.perceiver.model.CausalSequenceModel;

/**
 * Where the cached steps of a {@link CausalGenerator} run: opens, per generation, the state of incremental decoding
 * with a kv cache (the prompt pass, then one token per step). {@link #libtorch} is the model's own cached forward pass
 * and {@link DecodingStep}; {@code inference.engine} opens one on ONNX Runtime. Implementations are safe for several
 * threads, each with its own session.
 */
public interface CachedDecoder {
    /**
     * The state of one generation.
     *
     * @param window the window rules of this generation (validated prompt length and num_latents)
     * @param config the generation options
     * @param batchSize b
     * @param promptLength n
     */
    Session open(GenerationWindow window, GenerationConfig config, int batchSize, int promptLength);

    /** The model the sessions decode with. */
    CausalSequenceModel model();

    /** The state of one cached generation, used by one thread at a time. */
    interface Session extends AutoCloseable {
        /**
         * The logits of the last position of each row after the tokens {@code ids[.., 0..length)}: the prompt pass on
         * the first call, a one-token step (the token at length - 1) after it, the caches cut to the window before it
         * as the reference does ({@link GenerationWindow}).
         *
         * @param ids token ids (b, capacity)
         * @param attentionMask (b, capacity), false = left padding
         * @return b rows of vocab_size logits
         */
        float[][] next(long[][] ids, boolean[][] attentionMask, int length);

        /** Frees the session's state. */
        @Override
        void close();
    }

    /**
     * Cached decoding on libtorch: the model's cached forward pass for the prompt, {@link DecodingStep} for each token.
     *
     * @param weights prepared weights of {@code model} for all calls (the caller closes them), or null to prepare
     *     them per generation
     */
    static CachedDecoder libtorch(CausalSequenceModel model, InferenceWeights weights) {
        return new CachedDecoder() {
            @Override
            public Session open(GenerationWindow window, GenerationConfig config, int batchSize, int promptLength) {
                return new DecodingSession(model, weights, window, config, batchSize, promptLength);
            }

            @Override
            public CausalSequenceModel model() {
                return model;
            }
        };
    }
}
