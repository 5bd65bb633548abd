package dev.perceiver.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Loss and metric functions of the training tasks. */
public final class Losses {
    /** Label value excluded from the loss (torch's default {@code ignore_index}). */
    public static final long IGNORE_INDEX = -100;

    private Losses() {}

    /**
     * Mean cross-entropy over the labels that are not {@link #IGNORE_INDEX}, from log-softmax: logits (..., C),
     * int64 labels (...) in [0, C) or -100 -> scalar. When every label is ignored the result is 0 (no gradient).
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long c = logits.getShape().get(logits.getShape().dimension() - 1);
        if (logits.getShape().size() / c != labels.getShape().size()) {
            throw new IllegalArgumentException("labels shape " + labels.getShape() + " does not match logits shape "
                    + logits.getShape() + " without its last dimension");
        }
        NDArray flatLogits = logits.reshape(-1, c);
        NDArray flatLabels = labels.reshape(-1).toType(DataType.INT64, false);
        NDArray valid = flatLabels.neq(IGNORE_INDEX);
        NDArray safe = flatLabels.mul(valid.toType(DataType.INT64, false));
        NDArray logp = flatLogits.logSoftmax(-1);
        NDArray picked = logp.gather(safe.expandDims(1), 1).squeeze(1);
        NDArray validF = valid.toType(DataType.FLOAT32, false);
        NDArray count = validF.sum().maximum(1f);
        return picked.mul(validF).sum().neg().div(count);
    }

    /** Number of rows whose argmax over the last axis equals the label: logits (N, C), labels (N). */
    public static long correct(NDArray logits, NDArray labels) {
        return logits.argMax(-1)
                .toType(DataType.INT64, false)
                .eq(labels.toType(DataType.INT64, false))
                .toType(DataType.INT64, false)
                .sum()
                .getLong();
    }
}
