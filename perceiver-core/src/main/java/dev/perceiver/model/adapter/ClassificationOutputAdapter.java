package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Linear;

/**
 * Class logits: (b, O, F) -> (b, O, num_classes), squeezed to (b, num_classes) when O = 1. Child {@code linear}.
 */
public final class ClassificationOutputAdapter extends OutputAdapter {
    private final Linear linear;

    public ClassificationOutputAdapter(
            NDManager manager, int numClasses, int numOutputQueryChannels, double initScale) {
        super(manager);
        Checks.positive("num_classes", numClasses);
        linear = child("linear", new Linear(manager, numOutputQueryChannels, numClasses, true, initScale));
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
