package dev.perceiver.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.train.config.CommandOptions;
import dev.perceiver.train.config.OptionTree;
import dev.perceiver.train.run.TrainingRun;
import dev.perceiver.train.spec.TrainingSpec;
import dev.perceiver.train.spec.TrainingSpecs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training with two workers in local mode against the single-process run: the same losses step for
 * step, also when a worker fails and the stage's retry resumes from the last checkpoint.
 */
class SparkTrainingTest {
    @TempDir
    static Path dir;

    private static SparkSession spark;
    private static List<Double> expected;

    @BeforeAll
    static void start() throws IOException {
        TrainingSpec<?> spec = TrainingSpecs.of("image-classifier");
        TrainingRun.Outcome single = TrainingRun.start(
                spec,
                options(spec, dir.resolve("single")),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        expected = trainLosses(single.result().runDir());
        // two task slots; a task may fail up to 4 times (local mode's default, 1, would end the job at once)
        spark = SparkSession.builder()
                .master("local[2,4]")
                .appName("SparkTrainingTest")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static ObjectNode options(TrainingSpec<?> spec, Path root, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--model.num_latents=4",
                "--model.num_latent_channels=16",
                "--model.encoder.num_frequency_bands=2",
                "--model.encoder.num_self_attention_heads=2",
                "--model.encoder.num_self_attention_layers_per_block=1",
                "--model.decoder.num_output_query_channels=16",
                "--data.batch_size=8",
                "--trainer.max_steps=6",
                "--trainer.val_check_interval=3",
                "--trainer.limit_val_batches=1",
                "--trainer.log_every_n_steps=1",
                "--trainer.default_root_dir=" + root));
        args.addAll(List.of(extra));
        return CommandOptions.resolve(new OptionTree(spec.defaults()), null, args);
    }

    /** Training losses of metrics.csv, one per step. */
    private static List<Double> trainLosses(Path runDir) throws IOException {
        List<Double> losses = new ArrayList<>();
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (!cells[2].isEmpty()) {
                losses.add(Double.parseDouble(cells[2]));
            }
        }
        return losses;
    }

    private static void assertSingleProcessLosses(Path runDir) throws IOException {
        assertThat(expected).hasSize(6);
        List<Double> losses = trainLosses(runDir);
        assertThat(losses).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(losses.get(i)).as("step %d", i + 1).isCloseTo(expected.get(i), within(1e-4));
        }
    }

    @Test
    void twoWorkersGiveTheSingleProcessLossesStepForStep() throws IOException {
        TrainingSpec<?> spec = TrainingSpecs.of("image-classifier");
        ObjectNode values = options(spec, dir.resolve("spark"), "--trainer.strategy=spark", "--trainer.num_workers=2");
        Path runDir = TrainingRun.prepare(spec, values, null);
        SparkTraining.Summary s = SparkTraining.run(spark, spec, values, runDir);
        assertThat(s.steps()).isEqualTo(6);
        assertThat(s.allReduceCalls()).isEqualTo(7); // the initial weights, then one per step
        assertSingleProcessLosses(runDir);
        assertThat(runDir.resolve("checkpoints/last/model.safetensors")).exists();
        assertThat(s.summary()).startsWith("run=" + runDir.toAbsolutePath()).contains("val_loss=");
    }

    @Test
    void aFailedWorkerFailsTheStageAndTheRetryResumesFromTheLastCheckpoint() throws IOException {
        TrainingSpec<?> spec = TrainingSpecs.of("image-classifier");
        ObjectNode values = options(spec, dir.resolve("retry"), "--trainer.strategy=spark", "--trainer.num_workers=2");
        Path runDir = TrainingRun.prepare(spec, values, null);
        // worker 1 fails in step 5's allreduce (call 6) of the first attempt, after the checkpoint of step 3
        SparkTraining.Summary s = SparkTraining.run(spark, spec, values, runDir, 1, 6);
        assertThat(s.steps()).isEqualTo(6);
        assertThat(s.allReduceCalls()).isEqualTo(4); // the retry: initial weights, then steps 4, 5 and 6
        assertSingleProcessLosses(runDir);
    }
}
