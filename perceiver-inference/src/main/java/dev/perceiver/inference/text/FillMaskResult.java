package dev.perceiver.inference.text;

import java.util.List;

/**
 * Fill-mask output for one text.
 *
 * @param text the masked input text (with {@code <mask>} written as the tokenizer's mask token)
 * @param masks one entry per masked position, left to right
 * @param filledTexts {@code top_k} texts; the i-th has the i-th candidate at every masked position
 */
public record FillMaskResult(String text, List<MaskPrediction> masks, List<String> filledTexts) {

    /**
     * Candidates of one masked position.
     *
     * @param position token index in the encoded text (special tokens included)
     * @param candidates the {@code top_k} most probable tokens, most probable first
     */
    public record MaskPrediction(int position, List<TokenScore> candidates) {}
}
