package dev.perceiver.serve;

/**
 * A request the server refuses: answered with {@code status} and the JSON {@code {"error": message, "field": field}}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;

    /**
     * @param status HTTP status, 4xx or 5xx
     * @param field the request field at fault (e.g. {@code parameters.max_new_tokens}), or null
     * @param message what is wrong, with the value and the valid range
     */
    public ApiException(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    /** 400: the body cannot be read as asked (malformed JSON, a corrupt image). */
    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, field, message);
    }

    /** 422: the body is well-formed but a field has the wrong type, an unknown name or a value out of range. */
    public static ApiException invalid(String field, String message) {
        return new ApiException(422, field, message);
    }

    /** 413: the body, a text or an image is larger than the server's limit. */
    public static ApiException tooLarge(String field, String message) {
        return new ApiException(413, field, message);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
