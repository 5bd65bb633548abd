package dev.perceiver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.blocks.MultiHeadAttention;
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

    /**
     * Splits attention into chunks of at most {@code n} queries everywhere in this model: the decoder's output
     * queries ({@link PerceiverDecoder#setQueryChunkSize}) and the queries of every attention layer
     * ({@link MultiHeadAttention#setQueryChunkSize}); 0 restores the automatic chunk sizes. The output is the same
     * up to float rounding; only the memory alive at once changes.
     */
    public void setQueryChunkSize(int n) {
        decoder.setQueryChunkSize(n);
        setAttentionChunks(this, n);
    }

    private static void setAttentionChunks(Module module, int n) {
        if (module instanceof MultiHeadAttention a) {
            a.setQueryChunkSize(n);
        }
        module.children().values().forEach(c -> setAttentionChunks(c, n));
    }

    public PerceiverEncoder encoder() {
        return encoder;
    }

    public PerceiverDecoder decoder() {
        return decoder;
    }
}
