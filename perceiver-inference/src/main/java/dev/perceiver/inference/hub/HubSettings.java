package dev.perceiver.inference.hub;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where models of the Hugging Face Hub come from and where they are kept, built once from the environment variables
 * that {@code huggingface_hub} reads (tests build their own instead of changing the process environment).
 *
 * @param endpoint the Hub, e.g. {@code https://huggingface.co} (no trailing slash); {@code HF_ENDPOINT}
 * @param cacheDir the hub cache, holding {@code models--OWNER--NAME/}; {@code HF_HUB_CACHE}, else {@code
 *     $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}
 * @param offline true: never use the network, only the cache; {@code HF_HUB_OFFLINE} (1, true, yes, on)
 * @param token access token sent as {@code Authorization: Bearer} to the endpoint, or null; {@code HF_TOKEN}
 * @param timeout connect timeout and wait for a response's headers; {@code HF_HUB_DOWNLOAD_TIMEOUT} (seconds, 10)
 * @param progress whether downloads report progress; false when {@code HF_HUB_DISABLE_PROGRESS_BARS} is set true
 */
public record HubSettings(
        URI endpoint, Path cacheDir, boolean offline, String token, Duration timeout, boolean progress) {
    /** The public Hub. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

    /** Checks the values; the endpoint loses a trailing slash. */
    public HubSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(timeout, "timeout");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
            throw new IllegalArgumentException(
                    "HF_ENDPOINT (" + endpoint + ") must be an http:// or https:// URL with a host");
        }
        String s = endpoint.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        endpoint = URI.create(s);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("HF_HUB_DOWNLOAD_TIMEOUT (" + timeout + ") must be > 0");
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
    }

    /** The settings of this process's environment, home folder {@code user.home}. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * The settings a process with this environment gets.
     *
     * @param env environment variables (only the {@code HF_*} ones above and {@code XDG_CACHE_HOME} are read)
     * @param home the user's home folder (default cache {@code home/.cache/huggingface/hub})
     * @throws IllegalArgumentException if a variable has an invalid value (the message names it)
     */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(home, "home");
        URI endpoint = URI.create(get(env, "HF_ENDPOINT").orElse(DEFAULT_ENDPOINT));
        Path cache = get(env, "HF_HUB_CACHE")
                .map(Path::of)
                .orElseGet(() -> get(env, "HF_HOME")
                        .map(Path::of)
                        .orElseGet(() -> get(env, "XDG_CACHE_HOME")
                                .map(Path::of)
                                .orElse(home.resolve(".cache"))
                                .resolve("huggingface"))
                        .resolve("hub"));
        boolean offline = flag(env, "HF_HUB_OFFLINE");
        String token = get(env, "HF_TOKEN").orElse(null);
        Duration timeout = Duration.ofSeconds(10);
        Optional<String> t = get(env, "HF_HUB_DOWNLOAD_TIMEOUT");
        if (t.isPresent()) {
            try {
                timeout = Duration.ofMillis(Math.round(Double.parseDouble(t.get()) * 1000));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "HF_HUB_DOWNLOAD_TIMEOUT (" + t.get() + ") must be a number of seconds > 0", e);
            }
        }
        return new HubSettings(endpoint, cache, offline, token, timeout, !flag(env, "HF_HUB_DISABLE_PROGRESS_BARS"));
    }

    /** A copy with another cache folder. */
    public HubSettings withCacheDir(Path dir) {
        return new HubSettings(endpoint, dir, offline, token, timeout, progress);
    }

    /** A copy that does (true) or does not use the network. */
    public HubSettings withOffline(boolean value) {
        return new HubSettings(endpoint, cacheDir, value, token, timeout, progress);
    }

    /** The token without its value, so that settings can be printed. */
    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", offline=" + offline + ", token="
                + (token == null ? "none" : "set") + ", timeout=" + timeout + ", progress=" + progress + "]";
    }

    private static Optional<String> get(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private static boolean flag(Map<String, String> env, String name) {
        return get(env, name)
                .map(v -> TRUE.contains(v.toLowerCase(Locale.ROOT)))
                .orElse(false);
    }
}
