package dev.perceiver.train;

import ai.djl.ndarray.NDArray;

/**
 * One batch of a training task, as arrays of the step's manager.
 *
 * @param x model input: images (b, h, w, c) float32 or token ids (b, n) int64
 * @param y targets: class ids (b) or token labels (b, n) int64, -100 where no loss is taken
 * @param padMask boolean (b, n), true at padding, or null
 * @param size number of examples b
 */
public record Batch(NDArray x, NDArray y, NDArray padMask, int size) {}
