package dev.perceiver.tasks.multimodal;

import ai.djl.ndarray.NDArray;

/**
 * The multimodal autoencoder's reconstruction of the chosen output points.
 *
 * @param audio samples (b, n_audio * samples_per_patch): the chosen audio patches in the given order, flattened
 * @param image pixels (b, n_image, image_channels) at the chosen points of the (T, H, W) grid
 * @param label class logits (b, num_classes)
 */
public record MultimodalOutput(NDArray audio, NDArray image, NDArray label) {}
