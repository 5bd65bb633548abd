package dev.perceiver.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Values of the reference's lrs.py formulas, worked out by hand. */
class LrScheduleTest {
    @Test
    void constantWithWarmup() {
        LrSchedule s = LrSchedule.constantWithWarmup(500);
        assertThat(s.factor(0)).isEqualTo(0.0);
        assertThat(s.factor(1)).isEqualTo(1.0 / 500);
        assertThat(s.factor(250)).isEqualTo(0.5);
        assertThat(s.factor(499)).isEqualTo(499.0 / 500);
        assertThat(s.factor(500)).isEqualTo(1.0);
        assertThat(s.factor(100_000)).isEqualTo(1.0);
        assertThat(LrSchedule.constantWithWarmup(0).factor(0)).isEqualTo(1.0);
    }

    @Test
    void cosineWithWarmup() {
        LrSchedule s = LrSchedule.cosineWithWarmup(1100, 100, 0.5, 0.0);
        assertThat(s.factor(0)).isEqualTo(0.0);
        assertThat(s.factor(50)).isEqualTo(0.5);
        assertThat(s.factor(100)).isCloseTo(1.0, within(1e-15));
        // progress 0.5 -> 0.5 * (1 + cos(pi/2)) = 0.5
        assertThat(s.factor(600)).isCloseTo(0.5, within(1e-12));
        // progress 0.25 -> 0.5 * (1 + cos(pi/4))
        assertThat(s.factor(350)).isCloseTo(0.5 * (1 + Math.sqrt(0.5)), within(1e-12));
        assertThat(s.factor(1100)).isCloseTo(0.0, within(1e-12));
        // past the end the cosine rises again (num_cycles 0.5 covers half a period up to training_steps)
        assertThat(s.factor(1600)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void cosineWithMinFraction() {
        LrSchedule s = LrSchedule.cosineWithWarmup(1000, 0, 0.5, 0.1);
        assertThat(s.factor(0)).isCloseTo(1.0, within(1e-12));
        assertThat(s.factor(500)).isCloseTo(0.1 + 0.45, within(1e-12));
        assertThat(s.factor(1000)).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void rejectsNegativeWarmup() {
        assertThatThrownBy(() -> LrSchedule.constantWithWarmup(-1))
                .hasMessage("lr_scheduler.warmup_steps (-1) must be >= 0");
    }
}
