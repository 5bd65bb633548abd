package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.FactoredInput;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.position.FourierPositionEncoding;
import java.util.Arrays;

/**
 * Images (b, *spatial, channels), channels last, -> (b, prod(spatial), channels + Fourier position channels).
 * Child {@code position_encoding}.
 */
public final class ImageInputAdapter extends InputAdapter {
    private final FourierPositionEncoding positionEncoding;
    private final int[] imageShape;

    public ImageInputAdapter(NDManager manager, int[] imageShape, int numFrequencyBands) {
        super(
                manager,
                imageShape[imageShape.length - 1]
                        + FourierPositionEncoding.numChannels(imageShape.length - 1, numFrequencyBands));
        this.imageShape = imageShape.clone();
        positionEncoding = child(
                "position_encoding",
                new FourierPositionEncoding(
                        manager, Arrays.copyOf(imageShape, imageShape.length - 1), numFrequencyBands));
    }

    @Override
    public NDArray forward(NDArray x) {
        return forwardFactored(x).materialize();
    }

    /** Pixels (b, M, c) per example; the Fourier position encoding (M, channels) shared. */
    @Override
    public FactoredInput forwardFactored(NDArray x) {
        requireShape(x, imageShape);
        long[] s = x.getShape().getShape();
        long b = s[0];
        long c = imageShape[imageShape.length - 1];
        return new FactoredInput(x.reshape(b, -1, c), positionEncoding.encoding());
    }

    /** Requires images (b, *image_shape); the error names both shapes. */
    static void requireShape(NDArray x, int[] imageShape) {
        long[] s = x.getShape().getShape();
        long[] expected = Arrays.stream(imageShape).asLongStream().toArray();
        if (s.length != expected.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), expected)) {
            throw new IllegalArgumentException(
                    "input image shape " + Arrays.toString(Arrays.copyOfRange(s, 1, s.length))
                            + " different from required shape " + Arrays.toString(imageShape)
                            + " (image_shape)");
        }
    }

    public int[] imageShape() {
        return imageShape.clone();
    }

    /** The Fourier position encoding of the pixel grid. */
    public FourierPositionEncoding positionEncoding() {
        return positionEncoding;
    }
}
