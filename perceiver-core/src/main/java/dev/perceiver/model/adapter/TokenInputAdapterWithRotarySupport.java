package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.position.FrequencyPositionEncoding;
import dev.perceiver.model.position.Positions;

/**
 * Token input adapter that also returns the frequency position encoding (buffer
 * {@code frq_pos_encoding.inv_freq}) of {@code rotated_channels_per_head} channels for rotary embeddings.
 */
public final class TokenInputAdapterWithRotarySupport extends TokenInputAdapter implements RotarySupport {
    private final FrequencyPositionEncoding frqPosEncoding;

    public TokenInputAdapterWithRotarySupport(
            NDManager manager,
            int rotatedChannelsPerHead,
            int vocabSize,
            int maxSeqLen,
            int numInputChannels,
            boolean absPosEmb,
            double initScale) {
        super(manager, vocabSize, maxSeqLen, numInputChannels, absPosEmb, initScale);
        frqPosEncoding = child("frq_pos_encoding", new FrequencyPositionEncoding(manager, rotatedChannelsPerHead));
    }

    @Override
    public FrequencyPositionEncoding frqPosEncoding() {
        return frqPosEncoding;
    }

    @Override
    public Adapted forwardWithRotary(NDArray x, NDArray absPos) {
        if (absPos == null) {
            absPos = Positions.positions(
                    x.getManager(), x.getShape().get(0), x.getShape().get(1), null);
        }
        return new Adapted(forward(x, absPos), frqPosEncoding.forward(absPos));
    }
}
