package dev.perceiver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Module;

/**
 * Perceiver IO: an encoder (child {@code 0}) and a decoder (child {@code 1}). Task models extend this class and
 * define the forward pass of their inputs.
 */
public class PerceiverIO extends Module {
    private final PerceiverEncoder encoder;
    private final PerceiverDecoder decoder;

    public PerceiverIO(NDManager manager, PerceiverEncoder encoder, PerceiverDecoder decoder) {
        super(manager);
        this.encoder = child("0", encoder);
        this.decoder = child("1", decoder);
    }

    /** Input (with optional pad mask (b, M), true = padding) -> decoder output. */
    public NDArray forward(NDArray x, NDArray padMask) {
        PerceiverEncoder.EncoderOutput out = encoder.forwardWithAdapted(x, padMask);
        return decoder.forward(out.latents(), decoder.usesAdaptedInput() ? out.adapted() : null);
    }

    public PerceiverEncoder encoder() {
        return encoder;
    }

    public PerceiverDecoder decoder() {
        return decoder;
    }
}
