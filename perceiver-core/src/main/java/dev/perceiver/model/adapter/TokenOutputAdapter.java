package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Linear;

/** Token logits with an own projection (untied decoder): (b, O, F) -> (b, O, vocab_size). Child {@code linear}. */
public final class TokenOutputAdapter extends OutputAdapter {
    private final Linear linear;

    public TokenOutputAdapter(NDManager manager, int vocabSize, int numOutputQueryChannels, double initScale) {
        super(manager);
        linear = child("linear", new Linear(manager, numOutputQueryChannels, vocabSize, true, initScale));
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = linear.forward(x);
        return y.getShape().get(1) == 1 ? y.squeeze(1) : y;
    }

    /** The output projection (linear). */
    public Linear linear() {
        return linear;
    }
}
