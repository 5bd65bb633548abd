package dev.perceiver.inference.text;

/**
 * Text generated for one prompt.
 *
 * @param prompt the prompt as given
 * @param generatedText the text of the new tokens only
 * @param fullText prompt and new tokens decoded together
 * @param tokens the new token ids, up to and including EOS
 * @param stoppedAtEos whether generation of this prompt ended with the EOS token
 */
public record GeneratedText(
        String prompt, String generatedText, String fullText, long[] tokens, boolean stoppedAtEos) {}
