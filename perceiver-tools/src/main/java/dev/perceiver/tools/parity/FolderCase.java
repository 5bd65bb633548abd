package dev.perceiver.tools.parity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * The metadata of a model-folder fixture ({@code NAME.expected.safetensors} beside the folder {@code NAME/}), in the
 * fields the runner uses; the others ({@code call}, {@code notes}, ...) describe the case for people.
 *
 * @param folder the model folder, relative to the fixture file's directory
 * @param architecture the model class the case calls (e.g. {@code PerceiverMaskedLanguageModel})
 * @param layout {@value #KRASSERM} (krasserm/perceiver-io's own Hugging Face wrappers) or {@value #HUGGINGFACE}
 *     (Hugging Face {@code transformers}' Perceiver classes)
 * @param inputs tensor name ({@code input.*}) -> argument of the model's forward
 * @param prefixLen {@code prefix_len} of causal models, else null
 * @param tolerance per output: {@code max|a-b| <= atol + rtol * max|b|}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FolderCase(
        String folder,
        String architecture,
        String layout,
        Map<String, String> inputs,
        Integer prefixLen,
        Tolerance tolerance) {
    /** Layout of krasserm/perceiver-io's model folders. */
    public static final String KRASSERM = "krasserm";
    /** Layout of Hugging Face {@code transformers}' Perceiver folders. */
    public static final String HUGGINGFACE = "huggingface";

    /** Validates the fields the runner needs; an error names the field. */
    public FolderCase {
        if (folder == null || folder.isBlank()) {
            throw new IllegalArgumentException("folder case: 'folder' is missing");
        }
        if (!KRASSERM.equals(layout) && !HUGGINGFACE.equals(layout)) {
            throw new IllegalArgumentException(
                    "folder case: layout '" + layout + "' must be '" + KRASSERM + "' or '" + HUGGINGFACE + "'");
        }
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("folder case: 'inputs' (tensor -> argument) is missing or empty");
        }
        if (tolerance == null) {
            throw new IllegalArgumentException("folder case: 'tolerance' (atol, rtol) is missing");
        }
        inputs = Map.copyOf(inputs);
    }

    /**
     * Tolerance of every output.
     *
     * @param atol absolute part, >= 0
     * @param rtol part relative to {@code max|b|}, >= 0
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tolerance(double atol, double rtol) {
        /** Validates both parts. */
        public Tolerance {
            if (!(atol >= 0) || !(rtol >= 0)) {
                throw new IllegalArgumentException(
                        "folder case: tolerance atol (" + atol + ") and rtol (" + rtol + ") must be >= 0");
            }
        }
    }
}
