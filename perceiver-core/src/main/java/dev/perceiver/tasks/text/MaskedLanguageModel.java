package dev.perceiver.tasks.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.adapter.OutputAdapter;
import dev.perceiver.model.adapter.TiedTokenOutputAdapter;
import dev.perceiver.model.adapter.TokenInputAdapter;
import dev.perceiver.model.adapter.TokenOutputAdapter;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;

/**
 * Perceiver IO masked language model: token ids (b, n) with pad mask -> logits (b, n, vocab_size). The decoder has
 * {@code max_seq_len} learned output queries; its output is tied to the input embedding when
 * {@code num_output_query_channels} is null (queries then have num_input_channels channels), else projected by an own
 * linear layer.
 */
public final class MaskedLanguageModel extends PerceiverIO {
    private final PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig> config;

    public MaskedLanguageModel(NDManager m, PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig> config) {
        this(m, config, TextEncoder.create(m, config.encoder(), config.numLatents(), config.numLatentChannels()));
    }

    private MaskedLanguageModel(
            NDManager m, PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig> config, PerceiverEncoder encoder) {
        super(m, encoder, decoder(m, config, (TokenInputAdapter) encoder.inputAdapter()));
        this.config = config;
    }

    private static PerceiverDecoder decoder(
            NDManager m, PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig> c, TokenInputAdapter adapter) {
        TextDecoderConfig d = c.decoder();
        double init = d.base().initScale();
        OutputAdapter out;
        TrainableQueryProvider queries;
        if (d.numOutputQueryChannels() == null) {
            queries = new TrainableQueryProvider(m, d.maxSeqLen(), c.encoder().numInputChannels(), init);
            out = new TiedTokenOutputAdapter(m, adapter.txtEmbedding(), true);
        } else {
            queries = new TrainableQueryProvider(m, d.maxSeqLen(), d.numOutputQueryChannels(), init);
            out = new TokenOutputAdapter(m, d.vocabSize(), d.numOutputQueryChannels(), init);
        }
        return new PerceiverDecoder(m, out, queries, c.numLatentChannels(), d.base());
    }

    /** Token ids (b, n) (masked), pad mask (b, n) true = padding, or null -> logits (b, n, vocab_size). */
    @Override
    public NDArray forward(NDArray x, NDArray padMask) {
        long n = x.getShape().get(1);
        if (n > config.decoder().maxSeqLen()) {
            throw new IllegalArgumentException("input sequence length (" + n + ") exceeds decoder max_seq_len ("
                    + config.decoder().maxSeqLen() + ")");
        }
        NDArray logits = super.forward(x, padMask);
        return logits.get(":, :" + n + ", :");
    }

    public PerceiverIOConfig<TextEncoderConfig, TextDecoderConfig> config() {
        return config;
    }
}
