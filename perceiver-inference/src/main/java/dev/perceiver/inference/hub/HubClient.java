package dev.perceiver.inference.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The three requests a download needs, made the way {@code huggingface_hub} makes them: the file list of a revision
 * ({@code GET /api/models/ID/revision/REV}), a file's metadata ({@code HEAD /ID/resolve/COMMIT/FILE}: commit, ETag,
 * size, and the download URL of large files) and the file itself ({@code GET}, optionally from an offset with {@code
 * Range}). The token goes to the endpoint's host only, never to a host it redirects to.
 */
final class HubClient {
    /** Commit and file names of a repository at a revision. */
    record RepoInfo(String commit, List<String> files) {}

    /**
     * What a {@code HEAD} on a file's resolve URL tells.
     *
     * @param commit the commit the file belongs to ({@code X-Repo-Commit})
     * @param etag {@code X-Linked-Etag} (sha256 of an LFS file) or {@code ETag}, without quotes
     * @param size {@code X-Linked-Size} or {@code Content-Length}; -1 if the server sent neither
     * @param location where to {@code GET} the content (a CDN URL for LFS files)
     */
    record FileMeta(String commit, String etag, long size, URI location) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_LISTING = 64 << 20;
    private static final String USER_AGENT =
            "perceiver-jvm/0.1; java/" + Runtime.version().feature();

    private final HubSettings settings;
    private final HttpClient http;

    HubClient(HubSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout())
                .build();
    }

    /** The commit a revision points to and the files of the repository there. */
    RepoInfo repoInfo(HubModelId id) throws IOException {
        URI uri = URI.create(
                settings.endpoint() + "/api/models/" + id.repoId() + "/revision/" + encodeSegment(id.revision()));
        HttpResponse<InputStream> r = send(id, "file list", uri, "GET", Map.of(), true);
        JsonNode json;
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw error(id, "file list", r);
            }
            byte[] bytes = in.readNBytes(MAX_LISTING + 1);
            if (bytes.length > MAX_LISTING) {
                throw new HubException(id + ": file list from " + uri + " is larger than " + MAX_LISTING + " bytes", 0);
            }
            json = JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new HubException(id + ": file list from " + uri + " is not JSON: " + e.getOriginalMessage(), 0, e);
        }
        String commit = json.path("sha").asText("");
        if (commit.isEmpty()) {
            throw new HubException(id + ": file list from " + uri + " has no commit ('sha')", 0);
        }
        List<String> files = new ArrayList<>();
        for (JsonNode s : json.path("siblings")) {
            String name = s.path("rfilename").asText("");
            if (!name.isEmpty()) {
                files.add(name);
            }
        }
        return new RepoInfo(commit, List.copyOf(files));
    }

    /** Metadata of one file at a commit ({@code HEAD}, following only relative redirects as huggingface_hub does). */
    FileMeta fileMeta(HubModelId id, String commit, String file) throws IOException {
        URI uri = URI.create(
                settings.endpoint() + "/" + id.repoId() + "/resolve/" + encodeSegment(commit) + "/" + encodePath(file));
        HttpResponse<InputStream> r =
                send(id, "file " + file, uri, "HEAD", Map.of("Accept-Encoding", "identity"), false);
        r.body().close();
        int status = r.statusCode();
        boolean redirect = status >= 300 && status < 400;
        if (status < 200 || status >= 400) {
            throw error(id, "file " + file, r);
        }
        HttpHeaders h = r.headers();
        String etag = h.firstValue("X-Linked-Etag")
                .or(() -> h.firstValue("ETag"))
                .map(HubClient::normalizeEtag)
                .orElseThrow(() -> new HubException(id + ": " + uri + " sent no ETag", status));
        String fileCommit = h.firstValue("X-Repo-Commit").orElse(commit);
        OptionalLong size = number(h, "X-Linked-Size");
        if (size.isEmpty() && !redirect) {
            size = number(h, "Content-Length");
        }
        URI location = r.uri();
        if (redirect) {
            String to = h.firstValue("Location")
                    .orElseThrow(() -> new HubException(id + ": " + uri + " redirects without a Location", status));
            location = r.uri().resolve(to);
        }
        return new FileMeta(fileCommit, etag, size.orElse(-1), location);
    }

    /**
     * Opens a file's content, from {@code offset} on when it is > 0 ({@code Range: bytes=OFFSET-}).
     *
     * @return the response, status 200 (whole file), 206 (from the offset) or 416 (range refused); the caller closes
     *     its body
     */
    HttpResponse<InputStream> open(HubModelId id, String file, URI location, long offset) throws IOException {
        Map<String, String> headers = offset > 0
                ? Map.of("Accept-Encoding", "identity", "Range", "bytes=" + offset + "-")
                : Map.of("Accept-Encoding", "identity");
        HttpResponse<InputStream> r = send(id, "file " + file, location, "GET", headers, true);
        int status = r.statusCode();
        if (status != 200 && status != 206 && status != 416) {
            try (InputStream in = r.body()) {
                throw error(id, "file " + file, r);
            }
        }
        return r;
    }

    /** Sends a request; follows redirects (all, or only relative ones); the token goes only to the endpoint. */
    private HttpResponse<InputStream> send(
            HubModelId id, String what, URI uri, String method, Map<String, String> headers, boolean followAll)
            throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .timeout(settings.timeout())
                    .header("User-Agent", USER_AGENT);
            headers.forEach(b::header);
            if (settings.token() != null && sameOrigin(current, settings.endpoint())) {
                b.header("Authorization", "Bearer " + settings.token());
            }
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(id + ": " + what + " interrupted");
            }
            int status = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect
                    || location.isEmpty()
                    || !followAll && URI.create(location.get()).getHost() != null) {
                return r;
            }
            r.body().close();
            if (hop >= MAX_REDIRECTS) {
                throw new HubException(id + ": " + what + ": more than " + MAX_REDIRECTS + " redirects from " + uri, 0);
            }
            current = current.resolve(location.get());
        }
    }

    private HubException error(HubModelId id, String what, HttpResponse<?> r) {
        return HubException.forResponse(
                id,
                what,
                r.statusCode(),
                r.headers().firstValue("X-Error-Code"),
                r.headers().firstValue("X-Error-Message"),
                settings.endpoint(),
                settings.token() != null);
    }

    /** {@code W/"abc"} -> {@code abc}. */
    static String normalizeEtag(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    private static OptionalLong number(HttpHeaders h, String name) {
        Optional<String> v = h.firstValue(name);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long n = Long.parseLong(v.get().strip());
            return n >= 0 ? OptionalLong.of(n) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** Percent-encodes one path segment (a {@code /} in it too, as huggingface_hub quotes revisions). */
    static String encodeSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Percent-encodes each segment of a relative file path. */
    static String encodePath(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/", -1)) {
            parts.add(encodeSegment(p));
        }
        return String.join("/", parts);
    }
}
