package dev.perceiver.tools.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainStepParityTest {
    @Test
    void oneAdamWStepMatchesTheReference() throws Exception {
        Path fixture = Path.of(
                getClass().getResource("/fixtures/train_step.safetensors").toURI());
        CaseResult r = new ParityRunner().run(fixture);
        assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.PASSED);
        assertThat(r.checks())
                .extracting(CaseResult.Check::output)
                .anyMatch(o -> o.startsWith("grad["))
                .anyMatch(o -> o.startsWith("after["))
                .contains("loss", "loss_after_step");
    }
}
