package dev.perceiver.train.data;

/**
 * A text with its class id.
 *
 * @param text the document
 * @param label class id in {@code 0..numClasses-1}
 */
public record LabeledText(String text, int label) {}
