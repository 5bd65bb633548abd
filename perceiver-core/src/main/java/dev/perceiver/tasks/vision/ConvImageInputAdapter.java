package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.FactoredInput;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.blocks.ConvDownsample;
import dev.perceiver.model.position.FourierPositionEncoding;

/**
 * Images (b, h, w, c) of any size, channels last, -> (b, h2*w2, num_prep_channels + 2 * (2 * num_frequency_bands +
 * 1)): the conv stem ({@link ConvDownsample}: 7 x 7 stride-2 convolution, batch norm, ReLU, 3 x 3 stride-2 max pool;
 * 224 x 224 -> 55 x 55), followed by Fourier features of the downsampled grid whose frequencies are set by
 * {@code max_resolution} (transformers' {@code PerceiverImagePreprocessor} with {@code prep_type="conv"}, the
 * preprocessor of {@code deepmind/vision-perceiver-conv}, which uses 56 x 56). Child {@code downsample}.
 */
public final class ConvImageInputAdapter extends InputAdapter {
    private final ConvDownsample downsample;
    private final int inChannels;
    private final int numFrequencyBands;
    private final int[] maxResolution;

    /** @param maxResolution (h, w) of the Fourier frequencies */
    public ConvImageInputAdapter(
            NDManager m,
            int inChannels,
            int numPrepChannels,
            int numFrequencyBands,
            int[] maxResolution,
            double initScale) {
        super(m, numPrepChannels + FourierPositionEncoding.numChannels(2, numFrequencyBands));
        this.inChannels = inChannels;
        this.numFrequencyBands = numFrequencyBands;
        this.maxResolution = maxResolution.clone();
        downsample = child("downsample", new ConvDownsample(m, inChannels, numPrepChannels, initScale));
    }

    @Override
    public NDArray forward(NDArray x) {
        return forwardFactored(x).materialize();
    }

    /** Stem features (b, h2*w2, num_prep_channels) per example; the grid's Fourier features shared. */
    @Override
    public FactoredInput forwardFactored(NDArray x) {
        long[] s = x.getShape().getShape();
        if (s.length != 4 || s[3] != inChannels) {
            throw new IllegalArgumentException("input image shape " + x.getShape() + " must be (batch, height, width, "
                    + inChannels + ") (channels last)");
        }
        NDArray features = downsample.forward(x.transpose(0, 3, 1, 2)).transpose(0, 2, 3, 1);
        long[] f = features.getShape().getShape();
        int[] grid = {(int) f[1], (int) f[2]};
        NDArray position = FourierPositionEncoding.encode(x.getManager(), grid, numFrequencyBands, maxResolution);
        return new FactoredInput(features.reshape(f[0], f[1] * f[2], f[3]), position);
    }

    /** The conv stem (downsample). */
    public ConvDownsample downsample() {
        return downsample;
    }

    /** Number of frequency bands of the grid's Fourier features. */
    public int numFrequencyBands() {
        return numFrequencyBands;
    }

    /** (h, w) that set the highest frequency of the Fourier features. */
    public int[] maxResolution() {
        return maxResolution.clone();
    }
}
