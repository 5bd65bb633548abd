package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import dev.perceiver.model.position.FrequencyPositionEncoding;

/**
 * An input adapter that, besides the adapted input, produces the frequency position encoding of the input positions
 * from which Perceiver AR builds its rotary embeddings.
 */
public interface RotarySupport {
    /**
     * @param x task input (b, n_x)
     * @param absPos int64 absolute positions (b, n) with n >= n_x (the right-most n_x belong to x)
     * @return adapted input (b, n_x, C) and frequency encoding (b, n, rotated channels)
     */
    Adapted forwardWithRotary(NDArray x, NDArray absPos);

    /**
     * The adapted input alone, for decoding steps whose rotary positions are derived elsewhere.
     *
     * @param x task input (b, n_x)
     * @param absPos int64 absolute positions (b, n) with n >= n_x (the right-most n_x belong to x)
     * @return adapted input (b, n_x, C)
     */
    NDArray forward(NDArray x, NDArray absPos);

    /** The frequency encoding of positions from which the rotary embeddings are built. */
    FrequencyPositionEncoding frqPosEncoding();

    /** Number of channels C of the adapted input. */
    int numInputChannels();

    /** Adapted input and its frequency position encoding. */
    record Adapted(NDArray x, NDArray frqPosEnc) {}
}
