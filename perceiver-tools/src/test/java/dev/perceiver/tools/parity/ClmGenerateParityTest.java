package dev.perceiver.tools.parity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Greedy generation with the kv cache reproduces the reference's tokens and step logits. */
class ClmGenerateParityTest {
    @Test
    void greedyGenerationMatchesTheReferenceTokenForToken() throws Exception {
        CaseResult r = new ParityRunner().run(ParityRunnerTest.fixtures().resolve("clm_generate.safetensors"));
        assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.PASSED);
        assertThat(r.checks()).extracting(CaseResult.Check::output).containsExactly("sequences", "step_logits");
        assertThat(r.checks().get(0).maxError()).as("mismatching tokens").isZero();
    }
}
