package dev.perceiver.inference.hub;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * A model could not be had from the Hugging Face Hub: not found, gated or private, refused by the server, or not in
 * the cache while offline. The message is one line that names the model id.
 */
public final class HubException extends IOException {
    private static final long serialVersionUID = 1L;

    /** HTTP status of the failed request, or 0 when no response caused the error. */
    private final int status;

    /** @param status HTTP status, or 0 */
    public HubException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** @param status HTTP status, or 0 */
    public HubException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status of the failed request, or 0 when no response caused the error (offline, connection failed). */
    public int status() {
        return status;
    }

    /**
     * The error for a response that is neither a success nor a redirect. The Hub's {@code X-Error-Code} ({@code
     * RepoNotFound}, {@code GatedRepo}, {@code RevisionNotFound}, {@code EntryNotFound}) picks the message where it is
     * sent; otherwise the status does.
     *
     * @param id the model
     * @param what what was asked for, e.g. {@code "file list"} or {@code "file config.json"}
     * @param status the HTTP status
     * @param errorCode the {@code X-Error-Code} header, if any
     * @param serverMessage the {@code X-Error-Message} header, if any
     * @param endpoint the Hub
     * @param tokenSet whether a token was sent
     */
    static HubException forResponse(
            HubModelId id,
            String what,
            int status,
            Optional<String> errorCode,
            Optional<String> serverMessage,
            URI endpoint,
            boolean tokenSet) {
        String page = endpoint + "/" + id.repoId();
        String token = tokenSet ? "check that HF_TOKEN is valid and grants access" : "set HF_TOKEN to an access token";
        String code = errorCode.orElse("");
        String m;
        if (code.equals("GatedRepo") || code.isEmpty() && status == 403) {
            m = id.repoId() + " is a gated or private repository (HTTP " + status + "): request access on " + page
                    + " and " + token;
        } else if (code.equals("RepoNotFound") || code.isEmpty() && status == 401) {
            m = "model " + id.repoId() + " not found on " + endpoint + " (HTTP " + status
                    + "); if it is private or gated, " + token;
        } else if (code.equals("RevisionNotFound")) {
            m = "revision '" + id.revision() + "' of " + id.repoId() + " not found on " + endpoint + " (HTTP " + status
                    + ")";
        } else if (code.equals("EntryNotFound")) {
            m = id + ": " + what + " not found on " + endpoint + " (HTTP " + status + ")";
        } else if (status == 404) {
            m = id + ": " + what + " not found on " + endpoint + " (HTTP 404)";
        } else if (status == 429) {
            m = id + ": " + endpoint + " is rate limiting requests (HTTP 429); wait and try again"
                    + (tokenSet ? "" : ", or set HF_TOKEN");
        } else {
            m = id + ": " + what + " failed on " + endpoint + " with HTTP " + status;
        }
        String detail = serverMessage
                .filter(s -> !s.isBlank())
                .map(s -> " [" + s.replaceAll("\\s+", " ").strip() + "]")
                .orElse("");
        return new HubException(m + detail, status);
    }
}
