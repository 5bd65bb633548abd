package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.OpticalFlowDecoderConfig;
import dev.perceiver.model.config.OpticalFlowEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;

/**
 * Perceiver IO optical flow: patch features of two frames (b, 2, 27, h, w) -> flow (b, h, w, 2). The decoder's
 * queries are the adapted input; the encoder's cross-attention qk and v channels default to the adapter's.
 */
public final class OpticalFlow extends PerceiverIO {
    private final PerceiverIOConfig<OpticalFlowEncoderConfig, OpticalFlowDecoderConfig> config;

    public OpticalFlow(NDManager m, PerceiverIOConfig<OpticalFlowEncoderConfig, OpticalFlowDecoderConfig> config) {
        this(m, config, adapter(m, config.encoder()));
    }

    private OpticalFlow(
            NDManager m,
            PerceiverIOConfig<OpticalFlowEncoderConfig, OpticalFlowDecoderConfig> config,
            OpticalFlowInputAdapter adapter) {
        super(m, encoder(m, config, adapter), decoder(m, config, adapter));
        this.config = config;
    }

    private static OpticalFlowInputAdapter adapter(NDManager m, OpticalFlowEncoderConfig e) {
        return new OpticalFlowInputAdapter(
                m,
                e.imageShape(),
                e.numPatchInputChannels(),
                e.numPatchHiddenChannels(),
                e.numFrequencyBands(),
                e.base().initScale());
    }

    private static PerceiverEncoder encoder(
            NDManager m,
            PerceiverIOConfig<OpticalFlowEncoderConfig, OpticalFlowDecoderConfig> c,
            OpticalFlowInputAdapter a) {
        EncoderConfig e = c.encoder().base();
        int ch = a.numInputChannels();
        e = e.withCrossAttentionChannels(
                e.numCrossAttentionQkChannels() == null ? ch : e.numCrossAttentionQkChannels(),
                e.numCrossAttentionVChannels() == null ? ch : e.numCrossAttentionVChannels());
        return new PerceiverEncoder(m, a, c.numLatents(), c.numLatentChannels(), e);
    }

    private static PerceiverDecoder decoder(
            NDManager m,
            PerceiverIOConfig<OpticalFlowEncoderConfig, OpticalFlowDecoderConfig> c,
            OpticalFlowInputAdapter a) {
        OpticalFlowDecoderConfig d = c.decoder();
        int ch = a.numInputChannels();
        return new PerceiverDecoder(
                m,
                new OpticalFlowOutputAdapter(
                        m, d.imageShape(), ch, d.rescaleFactor(), d.base().initScale()),
                new OpticalFlowQueryProvider(m, ch),
                c.numLatentChannels(),
                d.base());
    }

    /** Patch features (b, 2, 27, h, w) -> flow (b, h, w, 2). */
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    public PerceiverIOConfig<OpticalFlowEncoderConfig, OpticalFlowDecoderConfig> config() {
        return config;
    }
}
