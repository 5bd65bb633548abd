package dev.perceiver.inference;

/**
 * A class label with its probability.
 *
 * @param index class index (the model's output position)
 * @param label name from {@code id2label} of the model folder, else the index as text
 * @param score softmax probability over the classes (sigmoid of the logit for a single-class model)
 */
public record LabelScore(int index, String label, double score) {}
