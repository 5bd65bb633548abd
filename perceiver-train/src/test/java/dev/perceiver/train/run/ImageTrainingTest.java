package dev.perceiver.train.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.train.MetricsLog;
import dev.perceiver.train.spec.TrainingSpecs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short training on real Fashion-MNIST images lowers the validation loss well below chance. */
class ImageTrainingTest {
    @Test
    void shortRunLowersTheLoss(@TempDir Path tmp) throws Exception {
        Path debian = Path.of("/usr/share/datasets/fashion-mnist");
        String[] data = Files.isDirectory(debian) ? new String[] {"--data.dataset_dir=" + debian} : new String[0];
        List<String> args = new java.util.ArrayList<>(List.of(
                "--trainer.max_steps=150",
                "--trainer.val_check_interval=150",
                "--lr_scheduler.warmup_steps=20",
                "--optimizer.lr=3e-3",
                "--data.batch_size=32",
                "--trainer.limit_val_batches=20"));
        args.addAll(List.of(data));
        TrainingRun.Outcome out = TrainingRun.start(
                TrainingSpecs.of("image-classifier"),
                TinyRuns.image(tmp, args.toArray(new String[0])),
                new PrintStream(new ByteArrayOutputStream()));
        double chance = Math.log(10);
        List<MetricsLog.Row> rows = MetricsLog.resume(out.result().runDir().resolve("metrics.csv"), 1000)
                .rows();
        assertThat(rows.get(0).trainLoss()).isGreaterThan(0.9 * chance);
        assertThat(out.result().valLoss()).isLessThan(0.75 * chance);
        assertThat(out.result().valAccuracy()).as("3x chance").isGreaterThan(0.3);
        assertThat(out.summary()).startsWith("run=" + out.result().runDir()).contains("val_loss=", "val_acc=");
    }
}
