package dev.perceiver.inference.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1, with the Hub's API shape: {@code GET
 * /api/models/OWNER/NAME/revision/REV} (JSON with {@code sha} and {@code siblings[].rfilename}), {@code HEAD}/{@code
 * GET /OWNER/NAME/resolve/REV/FILE} (small files: 200 with a git-style {@code ETag} and {@code X-Repo-Commit}; weight
 * files as LFS: 302 to {@code /lfs/SHA256} with {@code X-Linked-Etag} and {@code X-Linked-Size}), and {@code GET
 * /lfs/SHA256} with {@code Range} support. Unknown repositories get 401 {@code RepoNotFound}, unknown revisions 404
 * {@code RevisionNotFound}, gated ones 403 {@code GatedRepo} on their files. It can drop a connection mid-file and
 * serve corrupt content, and records every request.
 */
public final class FakeHub implements AutoCloseable {
    /** One request as the server saw it. */
    public record Request(String method, String path, String range, String authorization) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LFS = Set.of(".bin", ".safetensors", ".h5", ".msgpack", ".ckpt");

    private final HttpServer server;
    private final Map<String, Map<String, String>> refs = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Map<String, byte[]>>> commits = new ConcurrentHashMap<>();
    private final Map<String, byte[]> lfs = new ConcurrentHashMap<>();
    private final Set<String> gated = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> dropAfter = new ConcurrentHashMap<>();
    private final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a free port of 127.0.0.1. */
    public static FakeHub start() throws IOException {
        return new FakeHub();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Adds a commit of a repository and points revisions at it.
     *
     * @param files name to content
     * @return the commit hash (sha1 of the file names and contents)
     */
    public String addCommit(String repoId, Map<String, byte[]> files, String... revisions) {
        StringBuilder sb = new StringBuilder(repoId);
        files.forEach((k, v) -> sb.append(k).append(HexFormat.of().formatHex(digest("SHA-256", v))));
        String commit = HexFormat.of().formatHex(digest("SHA-1", sb.toString().getBytes(StandardCharsets.UTF_8)));
        commits.computeIfAbsent(repoId, k -> new ConcurrentHashMap<>()).put(commit, new LinkedHashMap<>(files));
        for (String r : revisions) {
            refs.computeIfAbsent(repoId, k -> new ConcurrentHashMap<>()).put(r, commit);
        }
        files.forEach((name, bytes) -> {
            if (isLfs(name)) {
                lfs.put(HexFormat.of().formatHex(digest("SHA-256", bytes)), bytes);
            }
        });
        return commit;
    }

    /** Files of the repository are refused with 403 GatedRepo (its file list stays public, as on the Hub). */
    public void gate(String repoId) {
        gated.add(repoId);
    }

    /** The next GET of this file's content sends all headers but only {@code bytes} bytes, then drops the connection. */
    public void dropOnce(String file, long bytes) {
        dropAfter.put(file, bytes);
    }

    /** This file's content is served with its last byte changed (headers unchanged). */
    public void corrupt(String file) {
        corrupt.add(file);
    }

    /** Every request so far, in order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The mlm fixture (krasserm layout, {@code pytorch_model.bin}) from this module's test resources. */
    public static Map<String, byte[]> mlmFixture() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name :
                List.of("config.json", "pytorch_model.bin", "special_tokens_map.json", "tokenizer_config.json")) {
            try (InputStream in = FakeHub.class.getResourceAsStream("mlm/" + name)) {
                files.put(name, Objects.requireNonNull(in, name).readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** Writes files into a folder. */
    public static Path writeFolder(Path dir, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        return dir;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            requests.add(new Request(
                    ex.getRequestMethod(),
                    raw,
                    ex.getRequestHeaders().getFirst("Range"),
                    ex.getRequestHeaders().getFirst("Authorization")));
            List<String> parts = new ArrayList<>();
            for (String s : raw.substring(1).split("/", -1)) {
                parts.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
            if (parts.size() == 6 && parts.get(0).equals("api") && parts.get(1).equals("models")) {
                api(ex, parts.get(2) + "/" + parts.get(3), parts.get(5));
            } else if (parts.size() >= 5 && parts.get(2).equals("resolve")) {
                resolve(
                        ex,
                        parts.get(0) + "/" + parts.get(1),
                        parts.get(3),
                        String.join("/", parts.subList(4, parts.size())));
            } else if (parts.size() == 2 && parts.get(0).equals("lfs") && lfs.containsKey(parts.get(1))) {
                Map.Entry<String, byte[]> f = lfsFile(parts.get(1));
                content(ex, f.getKey(), f.getValue());
            } else {
                status(ex, 404, null);
            }
        }
    }

    private void api(HttpExchange ex, String repo, String revision) throws IOException {
        String commit = commit(repo, revision);
        if (!commits.containsKey(repo)) {
            status(ex, 401, "RepoNotFound");
        } else if (commit == null) {
            status(ex, 404, "RevisionNotFound");
        } else {
            ObjectNode o = JSON.createObjectNode().put("id", repo).put("sha", commit);
            ArrayNode siblings = o.putArray("siblings");
            commits.get(repo)
                    .get(commit)
                    .keySet()
                    .forEach(n -> siblings.addObject().put("rfilename", n));
            byte[] body = JSON.writeValueAsBytes(o);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private void resolve(HttpExchange ex, String repo, String revision, String file) throws IOException {
        String commit = commit(repo, revision);
        if (!commits.containsKey(repo)) {
            status(ex, 401, "RepoNotFound");
            return;
        }
        if (commit == null) {
            status(ex, 404, "RevisionNotFound");
            return;
        }
        if (gated.contains(repo)) {
            status(ex, 403, "GatedRepo");
            return;
        }
        byte[] bytes = commits.get(repo).get(commit).get(file);
        if (bytes == null) {
            status(ex, 404, "EntryNotFound");
            return;
        }
        ex.getResponseHeaders().set("X-Repo-Commit", commit);
        if (isLfs(file)) {
            String sha = HexFormat.of().formatHex(digest("SHA-256", bytes));
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Long.toString(bytes.length));
            ex.getResponseHeaders().set("ETag", "\"not-the-content-hash\"");
            ex.getResponseHeaders().set("Location", endpoint() + "/lfs/" + sha);
            ex.sendResponseHeaders(302, -1);
            return;
        }
        String gitSha = HexFormat.of()
                .formatHex(digest(
                        "SHA-1", concat(("blob " + bytes.length + "\0").getBytes(StandardCharsets.UTF_8), bytes)));
        ex.getResponseHeaders().set("ETag", "\"" + gitSha + "\"");
        content(ex, file, bytes);
    }

    private void content(HttpExchange ex, String file, byte[] bytes) throws IOException {
        byte[] body = bytes;
        if (corrupt.contains(file) && body.length > 0) {
            body = body.clone();
            body[body.length - 1] ^= 1;
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.matches("bytes=\\d+-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= body.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        OutputStream out = ex.getResponseBody();
        Long drop = dropAfter.remove(file);
        if (drop != null) {
            out.write(body, from, (int) Math.min(drop, body.length - from));
            out.flush();
            throw new IOException("dropped on purpose"); // the server closes the connection of a failed handler
        }
        out.write(body, from, body.length - from);
    }

    private Map.Entry<String, byte[]> lfsFile(String sha) {
        for (Map<String, Map<String, byte[]>> repo : commits.values()) {
            for (Map<String, byte[]> files : repo.values()) {
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    if (Arrays.equals(f.getValue(), lfs.get(sha))) {
                        return f;
                    }
                }
            }
        }
        throw new IllegalStateException(sha);
    }

    private String commit(String repo, String revision) {
        Map<String, Map<String, byte[]>> c = commits.get(repo);
        if (c == null) {
            return null;
        }
        if (c.containsKey(revision)) {
            return revision;
        }
        return refs.getOrDefault(repo, Map.of()).get(revision);
    }

    private static void status(HttpExchange ex, int code, String errorCode) throws IOException {
        if (errorCode != null) {
            ex.getResponseHeaders().set("X-Error-Code", errorCode);
            ex.getResponseHeaders().set("X-Error-Message", errorCode + " (fake hub)");
        }
        ex.sendResponseHeaders(code, -1);
    }

    private static boolean isLfs(String name) {
        int dot = name.lastIndexOf('.');
        return dot >= 0 && LFS.contains(name.substring(dot));
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
