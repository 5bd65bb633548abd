package dev.perceiver.model.io;

import java.io.IOException;

/**
 * Thrown when a safetensors file or byte array is malformed: truncated, with an invalid header, or
 * with tensor entries that do not describe the data section. The message always starts with the
 * source (a file path or {@code <bytes>}) followed by what is wrong.
 */
public class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the full message, naming the source and the problem
     */
    public SafetensorsFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with an underlying cause (for example a JSON parse error).
     *
     * @param message the full message, naming the source and the problem
     * @param cause the underlying cause
     */
    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
