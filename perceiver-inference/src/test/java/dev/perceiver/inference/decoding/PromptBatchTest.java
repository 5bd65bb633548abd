package dev.perceiver.inference.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.inference.tokenizer.PaddedBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptBatchTest {
    @Test
    void promptsAreLeftPaddedSoThatGenerationContinuesAtTheLastColumn() {
        PromptBatch p = PromptBatch.leftPadded(List.of(new long[] {3, 9, 27}, new long[] {11}), 0);
        assertThat(p.ids()).isDeepEqualTo(new long[][] {{3, 9, 27}, {0, 0, 11}});
        assertThat(p.padding(1)).isEqualTo(2);
        assertThat(p.padded().padMask()[1]).containsExactly(true, true, false);
    }

    @Test
    void rightPaddedOrEmptyPromptsAreRejected() {
        PaddedBatch right = PaddedBatch.of(List.of(new long[] {1, 2}, new long[] {3}), 0, PaddedBatch.Side.RIGHT);
        assertThatThrownBy(() -> new PromptBatch(right))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("left-padded");
        assertThatThrownBy(() -> PromptBatch.leftPadded(List.of(new long[] {1}, new long[0]), 0))
                .hasMessageContaining("prompt 1 is empty");
        assertThatThrownBy(() -> PromptBatch.leftPadded(List.of(), 0)).hasMessageContaining("prompts (0)");
        PaddedBatch unpadded = PaddedBatch.of(List.of(new long[] {1, 2}), 0, PaddedBatch.Side.RIGHT);
        assertThat(new PromptBatch(unpadded).length()).isEqualTo(2);
    }
}
