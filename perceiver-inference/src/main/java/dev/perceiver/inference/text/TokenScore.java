package dev.perceiver.inference.text;

/**
 * A candidate token with its probability.
 *
 * @param tokenId id in the tokenizer's vocabulary
 * @param token the token decoded on its own (for the bytes tokenizer one byte, U+FFFD when it is part of a
 *        multi-byte character)
 * @param score softmax probability over the vocabulary
 */
public record TokenScore(long tokenId, String token, double score) {}
