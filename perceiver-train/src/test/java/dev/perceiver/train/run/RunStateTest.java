package dev.perceiver.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.train.Checkpoints;
import dev.perceiver.train.Trainer;
import dev.perceiver.train.spec.TrainingSpec;
import dev.perceiver.train.spec.TrainingSpecs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's state survives failures: validation happens before anything is written, a failed resume changes nothing,
 * a crash's leftovers are cleaned up and {@code best} is brought in line with {@code last}.
 */
class RunStateTest {
    private static final TrainingSpec<?> SPEC = TrainingSpecs.of("image-classifier");

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static Path startRun(Path root, int steps) throws Exception {
        return TrainingRun.start(
                        SPEC,
                        TinyRuns.image(root, "--trainer.max_steps=" + steps, "--trainer.val_check_interval=2"),
                        quiet())
                .result()
                .runDir();
    }

    private static ObjectNode savedOptions(Path run, String key, int value) throws Exception {
        ObjectNode options = TrainingRun.readRunConfig(run).options();
        options.with("trainer").put(key, value);
        return options;
    }

    @Test
    void settingsThatFitTheDataBadlyAreWarnedAbout() {
        dev.perceiver.train.TrainerConfig c = new dev.perceiver.train.TrainerConfig(1000, 2, 10, 1, -1, 1, 0, 10, 0, 0);
        assertThat(c.warnings(100, 500))
                .containsExactly(
                        "warning: trainer.max_epochs (2) ends the run after 200 steps, before trainer.max_steps "
                                + "(1000) at 100 batches per epoch; set --trainer.max_epochs=-1 to train 1000 steps",
                        "warning: lr_scheduler.warmup_steps (500) is not shorter than the run (200 steps): the "
                                + "learning rate never reaches optimizer.lr");
        assertThat(c.warnings(1000, 10)).isEmpty();
    }

    @Test
    void aRunThatFailsValidationLeavesNoFolder(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runs");
        assertThatThrownBy(() -> TrainingRun.start(
                        SPEC, TinyRuns.image(root, "--data.dataset_dir=" + tmp.resolve("missing")), quiet()))
                .hasMessageContaining("data.dataset_dir");
        assertThatThrownBy(() -> TrainingRun.start(SPEC, TinyRuns.image(root, "--model.num_latents=0"), quiet()))
                .hasMessageContaining("num_latents");
        assertThat(root).doesNotExist();
    }

    @Test
    void aFailedResumeKeepsTheRunAndFewerStepsThanDoneIsAnError(@TempDir Path tmp) throws Exception {
        Path run = startRun(tmp, 4);
        byte[] config = Files.readAllBytes(run.resolve(TrainingRun.RUN_CONFIG));

        // the checkpoint prepares an image of another size as training did (preprocessor_config.json: resize)
        Path best = run.resolve(Trainer.CHECKPOINTS).resolve(TrainingRun.BEST);
        assertThat(best.resolve("preprocessor_config.json")).exists();
        java.awt.image.BufferedImage photo =
                new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path jpg = tmp.resolve("photo.jpg");
        javax.imageio.ImageIO.write(photo, "jpeg", jpg.toFile());
        try (var pipeline = dev.perceiver.inference.vision.ImageClassificationPipeline.load(best, 4)) {
            assertThat(pipeline.classifyFiles(java.util.List.of(jpg), 3).get(0)).hasSize(3);
            // a 28x28 image goes through unchanged: its input equals the training normalisation
            java.awt.image.BufferedImage gray =
                    new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            gray.getRaster().setSample(3, 4, 0, 200);
            Path png = tmp.resolve("gray.png");
            javax.imageio.ImageIO.write(gray, "png", png.toFile());
            float[] x = pipeline.preprocessFile(png);
            assertThat(x[4 * 28 + 3]).isEqualTo(dev.perceiver.train.data.ImageNormalization.normalize(200));
            assertThat(x[0]).isEqualTo(dev.perceiver.train.data.ImageNormalization.normalize(0));
        }
        byte[] metrics = Files.readAllBytes(run.resolve(TrainingRun.METRICS));

        ObjectNode otherModel = TrainingRun.readRunConfig(run).options();
        otherModel.with("model").put("num_latents", 9);
        assertThatThrownBy(() -> TrainingRun.resume(SPEC, otherModel, run, quiet()))
                .hasMessageContaining("model.safetensors");
        assertThatThrownBy(() -> TrainingRun.resume(SPEC, savedOptions(run, "max_steps", 3), run, quiet()))
                .hasMessageContaining("has done 4 steps")
                .hasMessageContaining("--trainer.max_steps=4");
        assertThat(Files.readAllBytes(run.resolve(TrainingRun.RUN_CONFIG))).isEqualTo(config);

        // resumed at its end: nothing is trained or validated again, no row is added
        TrainingRun.Outcome again = TrainingRun.resume(SPEC, savedOptions(run, "max_steps", 4), run, quiet());
        assertThat(again.result().steps()).isEqualTo(4);
        assertThat(Files.readAllBytes(run.resolve(TrainingRun.METRICS))).isEqualTo(metrics);
    }

    @Test
    void resumeCleansUpAfterACrashAndRepairsBest(@TempDir Path tmp) throws Exception {
        Path stale = tmp.resolve("stale-best");
        Path early = startRun(tmp.resolve("a"), 2);
        Files.move(early.resolve(Trainer.CHECKPOINTS).resolve(TrainingRun.BEST), stale);

        Path run = startRun(tmp.resolve("b"), 4);
        Path checkpoints = run.resolve(Trainer.CHECKPOINTS);
        Path last = checkpoints.resolve(TrainingRun.LAST);
        Path best = checkpoints.resolve(TrainingRun.BEST);
        assertThat(Checkpoints.readState(last).bestStep)
                .as("precondition: step 4 is the best validation")
                .isEqualTo(4);
        // a crash between saving last and best at a new best validation leaves best one validation behind; one
        // inside a save leaves a partial .last.tmp, one inside an atomic write a .NAME.HEX.tmp file
        deleteTree(best);
        Files.move(stale, best);
        Files.createDirectories(checkpoints.resolve(".last.tmp"));
        Files.writeString(checkpoints.resolve(".last.tmp").resolve("model.safetensors"), "partial");
        Files.writeString(run.resolve(".metrics.csv.0123abcd.tmp"), "partial");
        assertThat(Checkpoints.readState(best).globalStep).isEqualTo(2);

        TrainingRun.resume(SPEC, savedOptions(run, "max_steps", 4), run, quiet());

        assertThat(Checkpoints.readState(best).globalStep).isEqualTo(4);
        assertThat(Files.readAllBytes(best.resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(last.resolve("model.safetensors")));
        assertThat(checkpoints.resolve(".last.tmp")).doesNotExist();
        assertThat(run.resolve(".metrics.csv.0123abcd.tmp")).doesNotExist();

        // a crash between the two renames of a save: only the complete copy .last.tmp is there
        Files.move(last, checkpoints.resolve(".last.tmp"));
        TrainingRun.resume(SPEC, savedOptions(run, "max_steps", 6), run, quiet());
        assertThat(Checkpoints.readState(last).globalStep).isEqualTo(6);
        try (Stream<Path> files = Files.list(checkpoints)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("last", "best");
        }
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
