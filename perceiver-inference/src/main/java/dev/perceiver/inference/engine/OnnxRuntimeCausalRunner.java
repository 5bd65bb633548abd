package dev.perceiver.inference.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.config.PerceiverARConfig;
import java.util.List;

/**
 * A Perceiver AR model's full-sequence forward pass on ONNX Runtime: the exported graph (inputs x, pad_mask,
 * prefix_len; outputs logits, last_hidden_state) run by an {@link OnnxRuntimeRunner}. Checks the arguments as the
 * module does before the graph sees them.
 */
final class OnnxRuntimeCausalRunner implements CausalModelRunner {
    private final PerceiverARConfig config;
    private final OnnxRuntimeRunner runner;

    OnnxRuntimeCausalRunner(CausalSequenceModel model, OnnxRuntimeRunner runner) {
        this.config = model.config();
        this.runner = runner;
    }

    @Override
    public CausalSequenceModel.LmOutput forward(NDArray x, int prefixLen, NDArray padMask) {
        Shape s = x.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("token ids must have shape (batch, seq_len) but have shape " + s);
        }
        long n = s.get(1);
        if (n > config.maxSeqLen()) {
            throw new IllegalArgumentException(
                    "input sequence length (" + n + ") exceeds max_seq_len (" + config.maxSeqLen() + ")");
        }
        if (prefixLen < 0 || prefixLen >= n) {
            throw new IllegalArgumentException("prefix_len (" + prefixLen + ") out of valid range [0.." + n + ")");
        }
        if (prefixLen > config.maxPrefixLen()) {
            throw new IllegalArgumentException(
                    "prefix_len (" + prefixLen + ") exceeds max_prefix_len (" + config.maxPrefixLen() + ")");
        }
        if (padMask != null && !padMask.getShape().equals(s)) {
            throw new IllegalArgumentException("pad_mask shape " + padMask.getShape() + " must be (batch, n) = " + s);
        }
        if (x.size() > 0) {
            long min =
                    x.min().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            long max =
                    x.max().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            if (min < 0 || max >= config.vocabSize()) {
                throw new IllegalArgumentException("token id (" + (min < 0 ? min : max) + ") out of range [0, "
                        + config.vocabSize() + ") (vocab_size)");
            }
        }
        List<NDArray> out = runner.forwardCausal(x, padMask, prefixLen);
        return new CausalSequenceModel.LmOutput(out.get(0), out.get(1), null);
    }

    @Override
    public Engine engine() {
        return Engine.ONNXRUNTIME;
    }

    @Override
    public void close() {
        runner.close();
    }
}
