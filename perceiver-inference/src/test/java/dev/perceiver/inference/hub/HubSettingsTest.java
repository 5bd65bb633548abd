package dev.perceiver.inference.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings from environment variables, and Hub ids. */
class HubSettingsTest {
    private static final Path HOME = Path.of("/home/u");

    @Test
    void defaultsAreThePublicHubAndTheUsersCache() {
        HubSettings s = HubSettings.fromEnvironment(Map.of(), HOME);
        assertThat(s.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThat(s.cacheDir()).isEqualTo(Path.of("/home/u/.cache/huggingface/hub"));
        assertThat(s.offline()).isFalse();
        assertThat(s.token()).isNull();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.progress()).isTrue();
    }

    @Test
    void variablesOverrideInHuggingfaceHubsOrder() {
        assertThat(HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x"), HOME)
                        .cacheDir())
                .isEqualTo(Path.of("/x/huggingface/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x", "HF_HOME", "/h"), HOME)
                        .cacheDir())
                .isEqualTo(Path.of("/h/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", "/h", "HF_HUB_CACHE", "/c"), HOME)
                        .cacheDir())
                .isEqualTo(Path.of("/c"));
        HubSettings s = HubSettings.fromEnvironment(
                Map.of(
                        "HF_ENDPOINT", "http://127.0.0.1:8080/mirror/",
                        "HF_TOKEN", "hf_abc",
                        "HF_HUB_OFFLINE", "1",
                        "HF_HUB_DOWNLOAD_TIMEOUT", "2.5",
                        "HF_HUB_DISABLE_PROGRESS_BARS", "true"),
                HOME);
        assertThat(s.endpoint()).isEqualTo(URI.create("http://127.0.0.1:8080/mirror"));
        assertThat(s.token()).isEqualTo("hf_abc");
        assertThat(s.toString()).doesNotContain("hf_abc");
        assertThat(s.offline()).isTrue();
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.progress()).isFalse();
        for (String on : new String[] {"1", "TRUE", "yes", "On"}) {
            assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", on), HOME)
                            .offline())
                    .isTrue();
        }
        for (String off : new String[] {"0", "false", "", "no"}) {
            assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", off), HOME)
                            .offline())
                    .isFalse();
        }
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://x"), HOME))
                .hasMessageStartingWith("HF_ENDPOINT (ftp://x) must be an http:// or https:// URL");
        assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "soon"), HOME))
                .hasMessageStartingWith("HF_HUB_DOWNLOAD_TIMEOUT (soon) must be a number");
        assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "0"), HOME))
                .hasMessageContaining("must be > 0");
    }

    @Test
    void idsAreOwnerNameWithAnOptionalRevision() {
        assertThat(HubModelId.parse("deepmind/language-perceiver"))
                .contains(new HubModelId("deepmind/language-perceiver", "main"));
        assertThat(HubModelId.parse("krasserm/perceiver-io-mlm@v1.0"))
                .contains(new HubModelId("krasserm/perceiver-io-mlm", "v1.0"));
        assertThat(HubModelId.parse("a/b@refs/pr/1")).contains(new HubModelId("a/b", "refs/pr/1"));
        assertThat(new HubModelId("a/b", "0123456789abcdef0123456789abcdef01234567").pinned())
                .isTrue();
        assertThat(new HubModelId("a/b", "main").pinned()).isFalse();
        assertThat(new HubModelId("deepmind/language-perceiver", "main").cacheFolderName())
                .isEqualTo("models--deepmind--language-perceiver");
        for (String bad : new String[] {
            "gpt2", "/abs/path", "./a/b", "a/b/c", "a/../b", "a--x/b", "a/b@", "a/b@../x", "a/b@x//y", "a b/c", "a/b.."
        }) {
            assertThat(HubModelId.parse(bad)).as(bad).isEmpty();
        }
        assertThatThrownBy(() -> new HubModelId("a/b", "../../etc"))
                .hasMessageStartingWith("revision '../../etc' of a/b must be");
    }
}
