package dev.perceiver.inference.engine;

import dev.perceiver.inference.decoding.CachedDecoder;

/**
 * Cached decoding (generation with the kv cache) of a Perceiver AR model on one engine (see
 * {@link ModelRunners#openDecoder}): pass it to {@link dev.perceiver.inference.decoding.CausalGenerator}. Safe for
 * several generating threads at once; close it after the last generation (not the model).
 */
public interface CausalDecoderRunner extends CachedDecoder, AutoCloseable {
    /** The engine of the cached steps (never AUTO). */
    Engine engine();

    /** Releases the engine's resources (not the model's). */
    @Override
    void close();
}
