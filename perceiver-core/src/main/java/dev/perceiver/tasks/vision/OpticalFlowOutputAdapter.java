package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.OutputAdapter;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Ops;

/** Decoder output (b, h*w, F) -> flow (b, h, w, 2): {@code linear} projection divided by {@code rescale_factor}. */
public final class OpticalFlowOutputAdapter extends OutputAdapter {
    private final Linear linear;
    private final int[] imageShape;
    private final float rescaleFactor;

    public OpticalFlowOutputAdapter(
            NDManager m, int[] imageShape, int numOutputQueryChannels, double rescaleFactor, double initScale) {
        super(m);
        this.imageShape = imageShape.clone();
        this.rescaleFactor = (float) rescaleFactor;
        linear = child("linear", new Linear(m, numOutputQueryChannels, 2, true, initScale));
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = Ops.div(linear.forward(x), rescaleFactor);
        return y.reshape(y.getShape().get(0), imageShape[0], -1, 2);
    }

    /** The projection to the two flow channels (linear). */
    public Linear linear() {
        return linear;
    }

    /** The divisor of the projected flow. */
    public float rescaleFactor() {
        return rescaleFactor;
    }
}
