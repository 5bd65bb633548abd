package dev.perceiver.tasks.multimodal;

import ai.djl.ndarray.NDArray;

/**
 * Which outputs the multimodal decoder computes (transformers' {@code subsampled_output_points}): int64 flat indices
 * (n) into the video's (T, H, W) = output_image_shape pixel grid and into the audio patches (num_frames *
 * audio_samples_per_frame / samples_per_patch); null decodes all of them. The label is always decoded. The full
 * video of a real checkpoint has millions of points: decode it in chunks of indices, as the Perceiver IO paper does.
 *
 * @param image int64 (n_image) or null for all
 * @param audio int64 (n_audio) or null for all
 */
public record OutputPoints(NDArray image, NDArray audio) {
    /** Every output point. */
    public static final OutputPoints ALL = new OutputPoints(null, null);
}
