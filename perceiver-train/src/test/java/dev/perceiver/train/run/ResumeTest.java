package dev.perceiver.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.perceiver.train.MetricsLog;
import dev.perceiver.train.Trainer;
import dev.perceiver.train.spec.TrainingSpecs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped at a checkpoint and resumed computes the same losses as an uninterrupted run. */
class ResumeTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void resumedRunContinuesWithTheSameLosses(@TempDir Path tmp) throws Exception {
        TrainingRun.Outcome full = TrainingRun.start(
                TrainingSpecs.of("image-classifier"),
                TinyRuns.image(
                        tmp.resolve("a"),
                        "--trainer.max_steps=8",
                        "--trainer.val_check_interval=4",
                        "--lr_scheduler.warmup_steps=3"),
                QUIET);
        TrainingRun.Outcome first = TrainingRun.start(
                TrainingSpecs.of("image-classifier"),
                TinyRuns.image(
                        tmp.resolve("b"),
                        "--trainer.max_steps=4",
                        "--trainer.val_check_interval=4",
                        "--lr_scheduler.warmup_steps=3"),
                QUIET);
        Path runB = first.result().runDir();
        assertThat(runB.resolve(Trainer.CHECKPOINTS).resolve("last").resolve("optimizer.safetensors"))
                .exists();
        assertThat(runB.resolve(Trainer.CHECKPOINTS).resolve("best").resolve("model.safetensors"))
                .exists();

        var saved = TrainingRun.readRunConfig(runB);
        saved.options().with("trainer").put("max_steps", 8);
        TrainingRun.Outcome resumed = TrainingRun.resume(saved.spec(), saved.options(), runB, QUIET);

        List<MetricsLog.Row> a = MetricsLog.resume(full.result().runDir().resolve("metrics.csv"), 100)
                .rows();
        List<MetricsLog.Row> b =
                MetricsLog.resume(runB.resolve("metrics.csv"), 100).rows();
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).step()).isEqualTo(a.get(i).step());
            if (!Double.isNaN(a.get(i).trainLoss())) {
                assertThat(b.get(i).trainLoss())
                        .as("train loss at step %d", a.get(i).step())
                        .isCloseTo(
                                a.get(i).trainLoss(),
                                within(1e-5 * Math.abs(a.get(i).trainLoss())));
            }
        }
        assertThat(resumed.result().valLoss()).isCloseTo(full.result().valLoss(), within(1e-5));
        assertThat(resumed.result().steps()).isEqualTo(8);
        assertThat(Files.size(runB.resolve("curves.png"))).isPositive();
    }
}
