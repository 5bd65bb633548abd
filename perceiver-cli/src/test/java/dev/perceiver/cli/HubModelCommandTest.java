package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.inference.hub.FakeHub;
import dev.perceiver.inference.hub.HubSettings;
import dev.perceiver.inference.hub.ModelResolver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model owner/name}: resolved through the hub cache, downloaded from a local fake Hub when missing. */
class HubModelCommandTest {
    private static final String TEXT = "a c[MASK]t is here";

    @TempDir
    Path tmp;

    private FakeHub hub;

    private record Run(int code, String out, String err) {}

    @BeforeEach
    void startHub() throws Exception {
        hub = FakeHub.start();
        hub.addCommit("krasserm/tiny-mlm", FakeHub.mlmFixture(), "main");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private Run run(boolean offline, String... args) {
        HubSettings settings =
                new HubSettings(hub.endpoint(), tmp.resolve("cache"), offline, null, Duration.ofSeconds(10), true);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(() -> new ModelResolver(settings, System.err, false), args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void fillMaskRunsAHubModelDownloadedOnceThenFromTheCacheOffline() throws Exception {
        Path local = FakeHub.writeFolder(tmp.resolve("local"), FakeHub.mlmFixture());
        Run fromFolder = run(true, "fill-mask", "--model", local.toString(), "--json", TEXT);
        assertThat(fromFolder.code()).as(fromFolder.err()).isZero();
        assertThat(hub.requests()).isEmpty();

        Run downloaded = run(false, "fill-mask", "--model", "krasserm/tiny-mlm", "--json", TEXT);
        assertThat(downloaded.code()).as(downloaded.err()).isZero();
        assertThat(downloaded.out()).isEqualTo(fromFolder.out());
        assertThat(downloaded.err())
                .contains("krasserm/tiny-mlm pytorch_model.bin")
                .contains("100%");

        hub.clearRequests();
        Run cached = run(true, "fill-mask", "--model=krasserm/tiny-mlm@main", "--json", TEXT);
        assertThat(cached.code()).as(cached.err()).isZero();
        assertThat(cached.out()).isEqualTo(fromFolder.out());
        assertThat(cached.err()).doesNotContain("100%");
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void aMissingModelOfflineOrOnTheHubIsOneErrorLineWithExitCode2() {
        Run offline = run(true, "classify-text", "--model", "krasserm/tiny-mlm", "text");
        assertThat(offline.code()).isEqualTo(2);
        assertThat(offline.err().strip())
                .startsWith("error: krasserm/tiny-mlm is not in the Hugging Face cache")
                .contains("HF_HUB_OFFLINE")
                .doesNotContain("\n");
        Run missing = run(false, "flow", "--model", "nobody/nothing", "--output-png", "o.png", "a.png", "b.png");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip())
                .startsWith("error: model nobody/nothing not found on " + hub.endpoint())
                .doesNotContain("\n");
        Run validate = run(true, "validate", "mlm", "--model", "nobody/nothing");
        assertThat(validate.code()).isEqualTo(2);
        assertThat(validate.err()).contains("nobody/nothing is not in the Hugging Face cache");
    }

    @Test
    void convertResolvesAHubIdThroughTheSameHookAsModel() throws Exception {
        Run converted =
                run(false, "convert", "krasserm/tiny-mlm", tmp.resolve("out").toString());
        assertThat(converted.code()).as(converted.err()).isZero();
        assertThat(converted.out()).contains("read     " + tmp.resolve("cache"));
        assertThat(tmp.resolve("out").resolve("model.safetensors")).isRegularFile();
        assertThat(hub.requests()).isNotEmpty();
        hub.clearRequests();
        Run offline =
                run(true, "convert", "nobody/nothing", tmp.resolve("other").toString());
        assertThat(offline.code()).isEqualTo(2);
        assertThat(offline.err()).contains("nobody/nothing is not in the Hugging Face cache");
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void helpResolvesNothing() {
        Run help = run(false, "fill-mask", "--model", "krasserm/tiny-mlm", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--model=DIR|ID").contains("Hugging Face Hub id");
        assertThat(hub.requests()).isEmpty();
    }
}
