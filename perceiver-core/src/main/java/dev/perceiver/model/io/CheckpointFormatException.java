package dev.perceiver.model.io;

import java.io.IOException;

/**
 * Thrown when a checkpoint ({@code torch.save} zip archive, its pickle, or a sharded checkpoint's index) is malformed
 * or inconsistent: truncated, with sizes or offsets that do not match the archive, or with content a state dict
 * cannot have. The message starts with the source (a file path or {@code <bytes>}) followed by what is wrong.
 */
public class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the full message, naming the source and the problem
     */
    public CheckpointFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with an underlying cause.
     *
     * @param message the full message, naming the source and the problem
     * @param cause the underlying cause
     */
    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
