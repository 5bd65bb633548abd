package dev.perceiver.tools.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The reference fixtures (copied from ../shared/fixtures/reference) computed by this implementation. */
class ParityRunnerTest {
    private static final List<String> FORWARD_CASES = List.of(
            "mha_cross",
            "mha_causal_rotary",
            "positions",
            "image_classifier_repeated",
            "image_classifier_shared",
            "text_mlm_tied",
            "text_mlm_untied",
            "text_classifier",
            "clm_forward",
            "optical_flow");

    static Path fixtures() throws URISyntaxException {
        return Path.of(ParityRunnerTest.class
                        .getResource("/fixtures/mha_cross.safetensors")
                        .toURI())
                .getParent();
    }

    @Test
    void everyForwardCasePasses() throws Exception {
        List<CaseResult> results = new ParityRunner().runDirectory(fixtures());
        Map<String, CaseResult> byName =
                results.stream().collect(Collectors.toMap(CaseResult::name, Function.identity()));
        for (String name : FORWARD_CASES) {
            assertThat(byName).containsKey(name);
            CaseResult r = byName.get(name);
            assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.PASSED);
            assertThat(r.checks()).isNotEmpty();
        }
        assertThat(results)
                .noneMatch(r -> r.status() == CaseResult.Status.FAILED || r.status() == CaseResult.Status.ERROR);
    }

    @Test
    void aWrongOutputFails() {
        CaseResult.Check ok = new CaseResult.Check("x", 1e-6, 1e-4);
        CaseResult.Check bad = new CaseResult.Check("x", 1e-3, 1e-4);
        assertThat(ok.passed()).isTrue();
        assertThat(bad.passed()).isFalse();
    }

    @Test
    void unknownFixtureIsReportedNotFailed() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("parity");
        java.nio.file.Files.copy(
                fixtures().resolve("mha_cross.safetensors"), dir.resolve("something_else.safetensors"));
        List<CaseResult> results = new ParityRunner().runDirectory(dir);
        assertThat(results).singleElement().extracting(CaseResult::status).isEqualTo(CaseResult.Status.UNSUPPORTED);
    }
}
