package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.FactoredInput;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.nn.Conv2d;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Parameter;
import java.util.Arrays;

/**
 * Images (b, h, w, c), channels last, -> (b, h*w, num_prep_channels + num_position_channels): a 1 x 1 convolution
 * of every pixel to {@code num_prep_channels}, followed by a learned position embedding per pixel (h*w,
 * num_position_channels) passed through a linear projection of the same width (transformers'
 * {@code PerceiverImagePreprocessor} with {@code prep_type="conv1x1"} and a trainable position encoding, the
 * preprocessor of {@code deepmind/vision-perceiver-learned}). The image size is fixed by the embedding. Children
 * {@code conv}, {@code position_projection}; parameter {@code position_embedding}.
 */
public final class LearnedImageInputAdapter extends InputAdapter {
    private final Conv2d conv;
    private final Parameter positionEmbedding;
    private final Linear positionProjection;
    private final int[] imageShape;

    /** @param imageShape (h, w, c) */
    public LearnedImageInputAdapter(
            NDManager m, int[] imageShape, int numPrepChannels, int numPositionChannels, double initScale) {
        super(m, numPrepChannels + numPositionChannels);
        if (imageShape.length != 3) {
            throw new IllegalArgumentException(
                    "image_shape " + Arrays.toString(imageShape) + " must be (height, width, channels)");
        }
        this.imageShape = imageShape.clone();
        conv = child(
                "conv",
                new Conv2d(m, imageShape[2], numPrepChannels, new int[] {1, 1}, 1, new int[] {0, 0}, true, initScale));
        positionEmbedding = parameter(
                "position_embedding", normal(initScale, (long) imageShape[0] * imageShape[1], numPositionChannels));
        positionProjection =
                child("position_projection", new Linear(m, numPositionChannels, numPositionChannels, true, initScale));
    }

    @Override
    public NDArray forward(NDArray x) {
        return forwardFactored(x).materialize();
    }

    /** Convolved pixels (b, h*w, num_prep_channels) per example; the projected position embedding shared. */
    @Override
    public FactoredInput forwardFactored(NDArray x) {
        ImageInputAdapter.requireShape(x, imageShape);
        long b = x.getShape().get(0);
        NDArray features = conv.forward(x.transpose(0, 3, 1, 2)).transpose(0, 2, 3, 1);
        NDArray perExample = features.reshape(b, (long) imageShape[0] * imageShape[1], -1);
        return new FactoredInput(perExample, positionProjection.forward(positionEmbedding.array()));
    }

    /** The 1 x 1 convolution (conv). */
    public Conv2d conv() {
        return conv;
    }

    /** The projected position embedding (h*w, num_position_channels). */
    public NDArray projectedPositionEmbedding() {
        return positionProjection.forward(positionEmbedding.array());
    }

    /** (h, w, c). */
    public int[] imageShape() {
        return imageShape.clone();
    }
}
