package dev.perceiver.spark;

/** A row that could not be processed with {@code --fail-fast}: fails the Spark job, naming the row. */
public final class RowFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RowFailedException(String id, String message, Throwable cause) {
        super("row id=" + id + ": " + message, cause);
    }
}
