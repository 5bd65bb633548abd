package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.FactoredInput;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.position.FourierPositionEncoding;
import dev.perceiver.nn.Linear;

/**
 * Patch features of two frames (b, 2, num_patch_input_channels, h, w) -> (b, h*w, num_patch_hidden_channels +
 * Fourier position channels): the two frames' patch features are concatenated per pixel and projected by
 * {@code linear}, then the position encoding is appended. Children {@code linear}, {@code position_encoding}.
 */
public final class OpticalFlowInputAdapter extends InputAdapter {
    private final Linear linear;
    private final FourierPositionEncoding positionEncoding;
    private final int[] imageShape;
    private final int numPatchInputChannels;

    public OpticalFlowInputAdapter(
            NDManager m,
            int[] imageShape,
            int numPatchInputChannels,
            int numPatchHiddenChannels,
            int numFrequencyBands,
            double initScale) {
        super(m, numPatchHiddenChannels + FourierPositionEncoding.numChannels(2, numFrequencyBands));
        this.imageShape = imageShape.clone();
        this.numPatchInputChannels = numPatchInputChannels;
        linear = child("linear", new Linear(m, 2 * numPatchInputChannels, numPatchHiddenChannels, true, initScale));
        positionEncoding = child("position_encoding", new FourierPositionEncoding(m, imageShape, numFrequencyBands));
    }

    @Override
    public NDArray forward(NDArray x) {
        return forwardFactored(x).materialize();
    }

    /** Projected patch features (b, h*w, hidden) per example; the Fourier position encoding shared. */
    @Override
    public FactoredInput forwardFactored(NDArray x) {
        long[] s = x.getShape().getShape();
        if (s.length != 5
                || s[1] != 2
                || s[2] != numPatchInputChannels
                || s[3] != imageShape[0]
                || s[4] != imageShape[1]) {
            throw new IllegalArgumentException("optical flow input shape " + x.getShape() + " must be (batch, 2, "
                    + numPatchInputChannels + ", " + imageShape[0] + ", " + imageShape[1] + ")");
        }
        long b = s[0];
        NDArray perPixel = x.transpose(0, 3, 4, 1, 2).reshape(b, s[3], s[4], 2 * s[2]);
        NDArray h = linear.forward(perPixel).reshape(b, s[3] * s[4], -1);
        return new FactoredInput(h, positionEncoding.encoding());
    }

    /** The projection of both frames' patch features (linear). */
    public Linear linear() {
        return linear;
    }

    /** The Fourier position encoding of the (h, w) grid. */
    public FourierPositionEncoding positionEncoding() {
        return positionEncoding;
    }

    /** (h, w). */
    public int[] imageShape() {
        return imageShape.clone();
    }

    /** Channels per frame and pixel of the patch features. */
    public int numPatchInputChannels() {
        return numPatchInputChannels;
    }
}
