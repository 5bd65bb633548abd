package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.train.Checkpoints;
import dev.perceiver.train.MetricsLog;
import dev.perceiver.train.TrainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code perceiver train} in a forked JVM killed with SIGKILL in the middle of training three times and resumed each
 * time ends with the metrics of an uninterrupted run, loadable checkpoints and {@code best} at the lowest validation
 * loss of metrics.csv. (tools/kill_resume.py does the same 20 times at random moments.)
 */
class KillResumeTest {
    private static final List<String> TINY = List.of(
            "--model.num_latents=8",
            "--model.num_latent_channels=32",
            "--model.encoder.num_frequency_bands=4",
            "--model.encoder.num_self_attention_heads=2",
            "--model.encoder.num_self_attention_layers_per_block=1",
            "--model.decoder.num_output_query_channels=32",
            "--model.encoder.dropout=0.1",
            "--data.batch_size=16",
            "--trainer.log_every_n_steps=1",
            "--trainer.limit_val_batches=2",
            "--trainer.val_check_interval=3",
            "--trainer.max_steps=45");

    private static Process fork(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.perceiver.cli.Main"));
        cmd.addAll(Arrays.asList(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private static void runToEnd(Path log, String... args) throws Exception {
        Process p = fork(log, args);
        // a generous bound: 45 tiny steps take seconds, but a loaded CI machine may start the JVM slowly
        assertThat(p.waitFor(600, TimeUnit.SECONDS))
                .as("finishes in 10 minutes")
                .isTrue();
        assertThat(p.exitValue())
                .as("exit code; log:%n%s", Files.readString(log))
                .isZero();
    }

    private static String[] start(Path root) {
        List<String> args = new ArrayList<>(List.of("train", "image-classifier"));
        args.addAll(TINY);
        args.add("--trainer.default_root_dir=" + root);
        return args.toArray(String[]::new);
    }

    private static Path onlyRun(Path root) throws Exception {
        try (Stream<Path> s = Files.list(root)) {
            List<Path> runs =
                    s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            assertThat(runs).hasSize(1);
            return runs.get(0);
        }
    }

    /** The last logged step of a run's metrics.csv, or -1. */
    private static long loggedStep(Path root) throws Exception {
        if (!Files.isDirectory(root)) {
            return -1;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path run : s.toList()) {
                Path m = run.resolve("metrics.csv");
                if (Files.isRegularFile(m)) {
                    List<MetricsLog.Row> rows =
                            MetricsLog.resume(m, Long.MAX_VALUE).rows();
                    return rows.isEmpty() ? -1 : rows.get(rows.size() - 1).step();
                }
            }
        }
        return -1;
    }

    private static List<String> withoutElapsed(Path metrics) throws Exception {
        return Files.readAllLines(metrics).stream()
                .map(l -> l.substring(0, l.lastIndexOf(',')))
                .toList();
    }

    @Test
    void killedThreeTimesAndResumedEndsLikeAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("train.log");
        runToEnd(log, start(tmp.resolve("reference")));
        Path reference = onlyRun(tmp.resolve("reference"));

        Path root = tmp.resolve("killed");
        Random random = new Random(7);
        long[] killAfterStep = {4, 17, 30};
        for (int k = 0; k < killAfterStep.length; k++) {
            Process p = k == 0
                    ? fork(log, start(root))
                    : fork(log, "train", "--resume", onlyRun(root).toString());
            // kill at a random moment after step killAfterStep[k] has been logged, but before step killAfterStep[k] +
            // 3: a fixed delay (up to 300 ms) could outlast the 15 steps left after the last kill on a fast machine
            // (~100 ms per step here), and the run then ended before it was killed
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (loggedStep(root) < killAfterStep[k] && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(loggedStep(root))
                    .as("step logged before kill %d; log:%n%s", k, Files.readString(log))
                    .isGreaterThanOrEqualTo(killAfterStep[k]);
            long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(300));
            while (System.nanoTime() < killAt && loggedStep(root) < killAfterStep[k] + 3 && p.isAlive()) {
                Thread.sleep(1);
            }
            assertThat(p.isAlive())
                    .as("run still training at kill %d; log:%n%s", k, Files.readString(log))
                    .isTrue();
            p.destroyForcibly().waitFor();
        }
        Path run = onlyRun(root);
        runToEnd(log, "train", "--resume", run.toString());

        assertThat(withoutElapsed(run.resolve("metrics.csv")))
                .isEqualTo(withoutElapsed(reference.resolve("metrics.csv")));
        List<MetricsLog.Row> rows =
                MetricsLog.resume(run.resolve("metrics.csv"), Long.MAX_VALUE).rows();
        MetricsLog.Row lowest = rows.stream()
                .filter(r -> !Double.isNaN(r.valLoss()))
                .min((a, b) -> Double.compare(a.valLoss(), b.valLoss()))
                .orElseThrow();
        Path checkpoints = run.resolve("checkpoints");
        TrainerState best = Checkpoints.readState(checkpoints.resolve("best"));
        assertThat(best.globalStep).isEqualTo(lowest.step());
        assertThat(Checkpoints.readState(checkpoints.resolve("last")).globalStep)
                .isEqualTo(45);
        try (Stream<Path> s = Files.list(checkpoints)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("best", "last");
        }
        for (String name : List.of("best", "last")) {
            TrainCommandTest.Run v = TrainCommandTest.run(
                    "validate",
                    "image-classifier",
                    "--checkpoint",
                    checkpoints.resolve(name).toString(),
                    "--trainer.limit_val_batches=2");
            assertThat(v.code()).as(v.err()).isZero();
            if (name.equals("best")) {
                assertThat(v.out()).contains(String.format(Locale.ROOT, "val_loss=%.4f", lowest.valLoss()));
            }
        }
    }
}
