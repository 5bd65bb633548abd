package dev.perceiver.inference.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a {@code --model} value into a model folder: an existing local path is used as it is; otherwise {@code
 * owner/name[@revision]} is a Hugging Face Hub id, found in the hub cache ({@link HubCache}; no network needed) or,
 * when the cache lacks it and {@link HubSettings#offline()} is false, downloaded into it from {@link
 * HubSettings#endpoint()} (only the files a model needs, see {@link ModelFiles}).
 */
public final class ModelResolver {
    /** Tries per file: a dropped connection is resumed this many times minus one. */
    static final int ATTEMPTS = 5;

    private final HubSettings settings;
    private final HubCache cache;
    private final PrintStream progress;
    private final boolean terminal;
    private final Duration backoff;
    private HubClient client;

    /**
     * @param settings endpoint, cache, offline mode and token
     * @param progress where download progress goes (e.g. {@code System.err}), or null for none
     * @param terminal whether {@code progress} is a terminal (a bar redrawn in place, else occasional lines)
     */
    public ModelResolver(HubSettings settings, PrintStream progress, boolean terminal) {
        this(settings, progress, terminal, Duration.ofSeconds(1));
    }

    ModelResolver(HubSettings settings, PrintStream progress, boolean terminal, Duration backoff) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cache = new HubCache(settings.cacheDir());
        this.progress = settings.progress() ? progress : null;
        this.terminal = terminal;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /** A resolver with the settings of this process's environment; progress on standard error. */
    public static ModelResolver fromEnvironment() {
        return new ModelResolver(HubSettings.fromEnvironment(), System.err, System.console() != null);
    }

    /** The settings in use. */
    public HubSettings settings() {
        return settings;
    }

    /**
     * The model folder a {@code --model} value names.
     *
     * @param model a local folder, or a Hub id {@code owner/name} or {@code owner/name@revision}
     * @return the local path if it exists, else the snapshot folder of the Hub model in the cache
     * @throws NoSuchFileException if the value is neither an existing path nor a Hub id
     * @throws HubException if the Hub model is not cached and cannot be downloaded (offline, not found, gated, ...)
     * @throws IOException if the cache cannot be read or written
     */
    public Path resolve(String model) throws IOException {
        Objects.requireNonNull(model, "model");
        Path local = null;
        try {
            local = Path.of(model);
        } catch (InvalidPathException ignored) {
            // not a path on this platform: maybe a Hub id
        }
        if (local != null && Files.exists(local)) {
            return local;
        }
        Optional<HubModelId> id = HubModelId.parse(model);
        if (id.isEmpty()) {
            throw new NoSuchFileException(
                    model, null, "no such model folder, nor a Hugging Face Hub id (owner/name or owner/name@revision)");
        }
        return resolve(id.get());
    }

    /**
     * The snapshot folder of a Hub model: from the cache if it holds the revision with config and weights (or holds
     * it at all, when offline), else downloaded.
     */
    public Path resolve(HubModelId id) throws IOException {
        Objects.requireNonNull(id, "id");
        Optional<Path> cached = cache.snapshot(id);
        if (cached.isPresent() && (settings.offline() || ModelFiles.complete(cached.get()))) {
            return cached.get();
        }
        if (settings.offline()) {
            Path looked = id.pinned()
                    ? cache.repoDir(id).resolve("snapshots").resolve(id.revision())
                    : cache.repoDir(id).resolve("refs").resolve(id.revision());
            throw new HubException(
                    id + " is not in the Hugging Face cache (no " + looked + ") and HF_HUB_OFFLINE is set;"
                            + " download it first (run once without HF_HUB_OFFLINE, or huggingface-cli download "
                            + id.repoId()
                            + (id.revision().equals(HubModelId.DEFAULT_REVISION) ? "" : " --revision " + id.revision())
                            + ")",
                    0);
        }
        try {
            return download(id);
        } catch (HubException | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            if (e.getClass().getPackageName().startsWith("java.nio")) {
                throw e; // the cache, not the network
            }
            throw new HubException(
                    "cannot download " + id + " from " + settings.endpoint() + " (" + DownloadProgress.describe(e)
                            + "); check the network and HF_ENDPOINT (models already in " + cache.root()
                            + " run without it, e.g. with HF_HUB_OFFLINE=1)",
                    0,
                    e);
        }
    }

    private Path download(HubModelId id) throws IOException {
        if (client == null) {
            client = new HubClient(settings);
        }
        HubClient.RepoInfo info = client.repoInfo(id);
        HubDownloader downloader = new HubDownloader(client, cache, progress, terminal, ATTEMPTS, backoff);
        List<String> files = ModelFiles.select(id, info.files());
        for (String file : files) {
            Path got = downloader.download(id, info.commit(), file);
            if (file.endsWith(".index.json")) {
                for (String shard : ModelFiles.shards(id, got, info.files())) {
                    downloader.download(id, info.commit(), shard);
                }
            }
        }
        if (!id.revision().equals(info.commit())) {
            cache.writeRef(id, info.commit());
        }
        return cache.snapshotDir(id, info.commit());
    }
}
