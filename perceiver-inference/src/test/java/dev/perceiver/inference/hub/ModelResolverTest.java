package dev.perceiver.inference.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.FillMaskResult;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hub ids resolved through the cache and downloaded from a local fake Hub; never the real network. */
class ModelResolverTest {
    private static final String REPO = "krasserm/tiny-mlm";
    private static final String WEIGHTS = "pytorch_model.bin";

    @TempDir
    Path tmp;

    private FakeHub hub;
    private Path cache;
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void startHub() throws IOException {
        hub = FakeHub.start();
        cache = tmp.resolve("hf-cache");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private HubSettings settings(boolean offline, String token) {
        return new HubSettings(hub.endpoint(), cache, offline, token, Duration.ofSeconds(10), true);
    }

    private ModelResolver resolver(HubSettings s) {
        return new ModelResolver(s, new PrintStream(progress, true, StandardCharsets.UTF_8), false, Duration.ZERO);
    }

    private ModelResolver online() {
        return resolver(settings(false, null));
    }

    /** The mlm fixture plus files a model does not need (as real repositories have). */
    private static Map<String, byte[]> repoFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>(FakeHub.mlmFixture());
        files.put(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n".getBytes(StandardCharsets.UTF_8));
        files.put("README.md", "# tiny mlm\n".getBytes(StandardCharsets.UTF_8));
        files.put("images/architecture.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        files.put("flax_model.msgpack", new byte[1000]);
        files.put("tf_model.h5", new byte[1000]);
        return files;
    }

    private List<FakeHub.Request> lfsGets() {
        return hub.requests().stream()
                .filter(r -> r.method().equals("GET") && r.path().startsWith("/lfs/"))
                .toList();
    }

    @Test
    void downloadsOnlyTheModelFilesIntoAnEmptyCacheAndTheModelRuns() throws Exception {
        String commit = hub.addCommit(REPO, repoFiles(), "main");
        Path dir = online().resolve(REPO);

        Path repo = cache.resolve("models--krasserm--tiny-mlm");
        assertThat(dir).isEqualTo(repo.resolve("snapshots").resolve(commit));
        assertThat(Files.readString(repo.resolve("refs/main"))).isEqualTo(commit);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "config.json", WEIGHTS, "special_tokens_map.json", "tokenizer_config.json");
        }
        for (Map.Entry<String, byte[]> e : FakeHub.mlmFixture().entrySet()) {
            Path p = dir.resolve(e.getKey());
            assertThat(Files.isSymbolicLink(p)).as(e.getKey()).isTrue();
            assertThat(p.toRealPath().getParent())
                    .isEqualTo(repo.resolve("blobs").toRealPath());
            assertThat(Files.readAllBytes(p)).as(e.getKey()).isEqualTo(e.getValue());
        }
        // the LFS blob is named by its sha256, as huggingface_hub names it
        assertThat(dir.resolve(WEIGHTS).toRealPath().getFileName().toString())
                .isEqualTo(HubDownloader.sha256(dir.resolve(WEIGHTS)));
        assertThat(hub.requests())
                .noneMatch(r -> r.path().contains("README")
                        || r.path().contains("msgpack")
                        || r.path().contains("h5")
                        || r.path().contains("images")
                        || r.path().contains("gitattributes"));
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains(REPO + " " + WEIGHTS)
                .contains("100%");

        Path local = FakeHub.writeFolder(tmp.resolve("local"), FakeHub.mlmFixture());
        assertThat(fill(dir)).isEqualTo(fill(local));

        hub.clearRequests(); // a second run finds the cache and asks nothing
        assertThat(online().resolve(REPO)).isEqualTo(dir);
        assertThat(hub.requests()).isEmpty();
    }

    private static String fill(Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
                TextModelFolder<MaskedLanguageModel> folder =
                        TextModelFolder.load(dir, m, "fill-mask", TextModelKinds.MASKED_LANGUAGE_MODEL)) {
            List<FillMaskResult> r =
                    new FillMaskPipeline(folder.model(), folder.tokenizer(), 2).fill(List.of("a c[MASK]t is here"), 3);
            return r.toString();
        }
    }

    @Test
    void resolvesACacheLaidOutByHuggingfaceCliWithoutTheNetwork() throws Exception {
        Path repo = cache.resolve("models--krasserm--tiny-mlm");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        String tagged = "89abcdef0123456789abcdef0123456789abcdef";
        for (String c : List.of(commit, tagged)) {
            Path snap = Files.createDirectories(repo.resolve("snapshots").resolve(c));
            for (Map.Entry<String, byte[]> e : FakeHub.mlmFixture().entrySet()) {
                Path blob = repo.resolve("blobs")
                        .resolve(c.substring(0, 8) + e.getKey().hashCode());
                Files.createDirectories(blob.getParent());
                Files.write(blob, e.getValue());
                Files.createSymbolicLink(
                        snap.resolve(e.getKey()), Path.of("../../blobs").resolve(blob.getFileName()));
            }
        }
        Files.createDirectories(repo.resolve("refs/refs/pr"));
        Files.writeString(repo.resolve("refs/main"), commit);
        Files.writeString(repo.resolve("refs/v1.0"), tagged + "\n");
        Files.writeString(repo.resolve("refs/refs/pr/1"), tagged);
        hub.close(); // nothing listens: any request would fail

        for (boolean offline : new boolean[] {true, false}) {
            ModelResolver r = resolver(settings(offline, null));
            assertThat(r.resolve(REPO)).isEqualTo(repo.resolve("snapshots").resolve(commit));
            assertThat(r.resolve(REPO + "@main"))
                    .isEqualTo(repo.resolve("snapshots").resolve(commit));
            assertThat(r.resolve(REPO + "@v1.0"))
                    .isEqualTo(repo.resolve("snapshots").resolve(tagged));
            assertThat(r.resolve(REPO + "@refs/pr/1"))
                    .isEqualTo(repo.resolve("snapshots").resolve(tagged));
            assertThat(r.resolve(REPO + "@" + tagged))
                    .isEqualTo(repo.resolve("snapshots").resolve(tagged));
        }
        assertThat(fill(resolver(settings(true, null)).resolve(REPO))).contains("filledTexts");
    }

    @Test
    void revisionsAreResolvedByTheHubAndRecordedAsRefs() throws Exception {
        Map<String, byte[]> v1 = new LinkedHashMap<>(FakeHub.mlmFixture());
        v1.put("tokenizer_config.json", "{\"model_max_length\": 1024}".getBytes(StandardCharsets.UTF_8));
        String old = hub.addCommit(REPO, v1, "v1.0", "refs/pr/1");
        String head = hub.addCommit(REPO, FakeHub.mlmFixture(), "main");
        Path repo = cache.resolve("models--krasserm--tiny-mlm");

        assertThat(online().resolve(REPO + "@v1.0"))
                .isEqualTo(repo.resolve("snapshots").resolve(old));
        assertThat(Files.readString(repo.resolve("refs/v1.0"))).isEqualTo(old);
        assertThat(online().resolve(REPO)).isEqualTo(repo.resolve("snapshots").resolve(head));
        assertThat(Files.readString(repo.resolve("refs/main"))).isEqualTo(head);
        assertThat(online().resolve(REPO + "@refs/pr/1"))
                .isEqualTo(repo.resolve("snapshots").resolve(old));
        assertThat(Files.readString(repo.resolve("refs/refs/pr/1"))).isEqualTo(old);
        assertThat(hub.requests()).anyMatch(r -> r.path().equals("/api/models/" + REPO + "/revision/refs%2Fpr%2F1"));
        // the two commits share the unchanged blobs
        try (Stream<Path> s = Files.list(repo.resolve("blobs"))) {
            assertThat(s.count()).isEqualTo(5);
        }
        // a commit hash needs no ref
        Path pinned = online().resolve(REPO + "@" + old);
        assertThat(pinned).isEqualTo(repo.resolve("snapshots").resolve(old));
        assertThat(repo.resolve("refs").resolve(old)).doesNotExist();
        assertThat(Files.readString(pinned.resolve("tokenizer_config.json"))).contains("1024");
    }

    @Test
    void aConnectionDroppedMidFileIsResumedWithARangeRequest() throws Exception {
        hub.addCommit(REPO, FakeHub.mlmFixture(), "main");
        hub.dropOnce(WEIGHTS, 50_000);
        Path dir = online().resolve(REPO);

        List<FakeHub.Request> gets = lfsGets();
        assertThat(gets).hasSize(2);
        assertThat(gets.get(0).range()).isNull();
        assertThat(gets.get(1).range()).isEqualTo("bytes=50000-");
        assertThat(Files.readAllBytes(dir.resolve(WEIGHTS)))
                .isEqualTo(FakeHub.mlmFixture().get(WEIGHTS));
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("interrupted at 50.0 kB");
        try (Stream<Path> s = Files.list(cache.resolve("models--krasserm--tiny-mlm/blobs"))) {
            assertThat(s.map(Path::toString)).noneMatch(n -> n.endsWith(".incomplete"));
        }
    }

    @Test
    void aPartialFileLeftByAnEarlierRunIsContinued() throws Exception {
        hub.addCommit(REPO, FakeHub.mlmFixture(), "main");
        byte[] weights = FakeHub.mlmFixture().get(WEIGHTS);
        Path blobs = Files.createDirectories(cache.resolve("models--krasserm--tiny-mlm/blobs"));
        String sha = HubDownloader.sha256(Files.write(tmp.resolve("w"), weights));
        Files.write(blobs.resolve(sha + ".incomplete"), Arrays.copyOf(weights, 30_000));

        Path dir = online().resolve(REPO);

        assertThat(lfsGets()).singleElement().extracting(FakeHub.Request::range).isEqualTo("bytes=30000-");
        assertThat(Files.readAllBytes(dir.resolve(WEIGHTS))).isEqualTo(weights);
        assertThat(blobs.resolve(sha + ".incomplete")).doesNotExist();
    }

    @Test
    void twoThreadsResolvingTheSameModelDownloadItOnce() throws Exception {
        hub.addCommit(REPO, FakeHub.mlmFixture(), "main");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Callable<Path> task = () -> online().resolve(REPO);
            List<java.util.concurrent.Future<Path>> done = pool.invokeAll(List.of(task, task));
            assertThat(done.get(0).get()).isEqualTo(done.get(1).get());
            assertThat(Files.readAllBytes(done.get(0).get().resolve(WEIGHTS)))
                    .isEqualTo(FakeHub.mlmFixture().get(WEIGHTS));
        } finally {
            pool.shutdownNow();
        }
        assertThat(lfsGets()).hasSize(1);
    }

    @Test
    void corruptContentIsRejectedAndLeavesNothingBehind() throws Exception {
        String commit = hub.addCommit(REPO, FakeHub.mlmFixture(), "main");
        hub.corrupt(WEIGHTS);

        assertThatThrownBy(() -> online().resolve(REPO))
                .isInstanceOf(HubException.class)
                .hasMessageContaining(REPO)
                .hasMessageContaining(WEIGHTS + " is corrupt");
        Path repo = cache.resolve("models--krasserm--tiny-mlm");
        try (Stream<Path> s = Files.list(repo.resolve("blobs"))) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .hasSize(3)
                    .allMatch(n -> n.length() == 40); // the three small files; no weights, no .incomplete
        }
        assertThat(repo.resolve("snapshots").resolve(commit).resolve(WEIGHTS)).doesNotExist();
        assertThat(repo.resolve("refs/main")).doesNotExist();
    }

    @Test
    void offlineWithoutTheModelInTheCacheNamesTheIdAndWhereItLooked() {
        assertThatThrownBy(() -> resolver(settings(true, null)).resolve("deepmind/language-perceiver"))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("deepmind/language-perceiver is not in the Hugging Face cache")
                .hasMessageContaining(cache.resolve("models--deepmind--language-perceiver/refs/main")
                        .toString())
                .hasMessageContaining("HF_HUB_OFFLINE")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void missingGatedAndUnknownRevisionGiveOneLineErrorsNamingTheId() {
        hub.addCommit(REPO, FakeHub.mlmFixture(), "main");
        hub.addCommit("deepmind/gated", FakeHub.mlmFixture(), "main");
        hub.gate("deepmind/gated");

        assertThatThrownBy(() -> online().resolve("nobody/nothing"))
                .isInstanceOf(HubException.class)
                .hasMessageStartingWith("model nobody/nothing not found on " + hub.endpoint() + " (HTTP 401)")
                .hasMessageContaining("set HF_TOKEN")
                .extracting(e -> ((HubException) e).status())
                .isEqualTo(401);
        assertThatThrownBy(() -> online().resolve("deepmind/gated"))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("deepmind/gated is a gated or private repository (HTTP 403)")
                .hasMessageContaining(hub.endpoint() + "/deepmind/gated");
        assertThatThrownBy(() -> online().resolve(REPO + "@nope"))
                .isInstanceOf(HubException.class)
                .hasMessageStartingWith("revision 'nope' of " + REPO + " not found");
        assertThat(cache.resolve("models--nobody--nothing")).doesNotExist();
    }

    @Test
    void plainStatusesWithoutAnErrorCodeAreNamedToo() {
        HubModelId id = new HubModelId("a/b", "main");
        String notFound = HubException.forResponse(
                        id,
                        "file config.json",
                        404,
                        java.util.Optional.empty(),
                        java.util.Optional.empty(),
                        hub.endpoint(),
                        false)
                .getMessage();
        assertThat(notFound).isEqualTo("a/b: file config.json not found on " + hub.endpoint() + " (HTTP 404)");
        String forbidden = HubException.forResponse(
                        id,
                        "file list",
                        403,
                        java.util.Optional.empty(),
                        java.util.Optional.of("Access to model a/b is restricted.\n"),
                        hub.endpoint(),
                        true)
                .getMessage();
        assertThat(forbidden)
                .startsWith("a/b is a gated or private repository (HTTP 403)")
                .contains("check that HF_TOKEN is valid")
                .endsWith("[Access to model a/b is restricted.]");
    }

    @Test
    void theTokenIsSentAsABearerToTheEndpoint() throws Exception {
        hub.addCommit(REPO, FakeHub.mlmFixture(), "main");
        resolver(settings(false, "hf_secret")).resolve(REPO);
        assertThat(hub.requests()).isNotEmpty().allMatch(r -> "Bearer hf_secret".equals(r.authorization()));
        hub.clearRequests();
        resolver(settings(false, null)).resolve("krasserm/tiny-mlm@main");
        assertThat(hub.requests()).allMatch(r -> r.authorization() == null);
    }

    @Test
    void shardedWeightsBringTheirShards() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", FakeHub.mlmFixture().get("config.json"));
        files.put(
                "pytorch_model.bin.index.json",
                ("{\"metadata\": {}, \"weight_map\": {\"a\": \"pytorch_model-00001-of-00002.bin\","
                                + " \"b\": \"pytorch_model-00002-of-00002.bin\","
                                + " \"c\": \"pytorch_model-00001-of-00002.bin\"}}")
                        .getBytes(StandardCharsets.UTF_8));
        files.put("pytorch_model-00001-of-00002.bin", new byte[] {1, 2, 3});
        files.put("pytorch_model-00002-of-00002.bin", new byte[] {4, 5});
        files.put("pytorch_model-00003-of-00003.bin", new byte[] {6}); // an old shard no index names
        hub.addCommit(REPO, files, "main");

        Path dir = online().resolve(REPO);
        assertThat(dir.resolve("pytorch_model-00002-of-00002.bin")).hasBinaryContent(new byte[] {4, 5});
        assertThat(dir.resolve("pytorch_model-00003-of-00003.bin")).doesNotExist();
        assertThat(ModelFiles.complete(dir)).isTrue();
        Files.delete(dir.resolve("pytorch_model-00001-of-00002.bin"));
        assertThat(ModelFiles.complete(dir)).isFalse();
        hub.clearRequests();
        assertThat(online().resolve(REPO)).isEqualTo(dir); // incomplete: the missing shard is fetched again
        assertThat(dir.resolve("pytorch_model-00001-of-00002.bin")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(lfsGets()).isEmpty(); // its blob was still in the cache
    }

    @Test
    void anIndexNamingAShardTheRepositoryLacksIsRefused() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", FakeHub.mlmFixture().get("config.json"));
        files.put(
                "model.safetensors.index.json",
                "{\"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\"}}".getBytes(StandardCharsets.UTF_8));
        hub.addCommit(REPO, files, "main");
        assertThatThrownBy(() -> online().resolve(REPO))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("names shard 'model-00001-of-00002.safetensors', which the repository lacks");
    }

    @Test
    void aRepositoryWithoutConfigOrWeightsIsNotAModel() {
        hub.addCommit("a/readme-only", Map.of("README.md", new byte[] {'#'}), "main");
        hub.addCommit("a/no-weights", Map.of("config.json", new byte[] {'{', '}'}), "main");
        assertThatThrownBy(() -> online().resolve("a/readme-only"))
                .hasMessage("a/readme-only has no config.json: not a model repository");
        assertThatThrownBy(() -> online().resolve("a/no-weights"))
                .hasMessageStartingWith("a/no-weights has no weights in a supported format");
    }

    @Test
    void anExistingPathIsUsedAsItIsAndOtherValuesAreRefused() throws Exception {
        Path local = Files.createDirectories(tmp.resolve("owner/name"));
        assertThat(online().resolve(local.toString())).isEqualTo(local);
        assertThatThrownBy(() -> online().resolve(tmp.resolve("missing").toString()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nor a Hugging Face Hub id");
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void anUnreachableEndpointIsAClearError() {
        hub.close();
        assertThatThrownBy(() -> online().resolve(REPO))
                .isInstanceOf(HubException.class)
                .hasMessageStartingWith("cannot download " + REPO + " from " + hub.endpoint());
    }
}
