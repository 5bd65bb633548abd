package dev.perceiver.train.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.train.spec.TrainingSpecs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runs with the same seed (and thread count) write the same metrics.csv, also when they train at the same time
 * in one JVM (dropout on, so the seeded generator matters).
 */
class DeterminismTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static Path train(Path root) throws Exception {
        return TrainingRun.start(
                        TrainingSpecs.of("image-classifier"),
                        TinyRuns.image(root, "--trainer.max_steps=6", "--trainer.val_check_interval=3"),
                        QUIET)
                .result()
                .runDir();
    }

    /** The rows of metrics.csv without the last column (elapsed_s, wall-clock time). */
    private static List<String> metrics(Path run) throws Exception {
        return Files.readAllLines(run.resolve(TrainingRun.METRICS)).stream()
                .map(l -> l.substring(0, l.lastIndexOf(',')))
                .toList();
    }

    @Test
    void sameSeedGivesTheSameMetricsAlsoWithTwoRunsInOneJvmAtOnce(@TempDir Path tmp) throws Exception {
        List<String> first = metrics(train(tmp.resolve("a")));
        assertThat(metrics(train(tmp.resolve("b")))).isEqualTo(first);
        assertThat(first).hasSize(1 + 6 + 2);

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Path> c = CompletableFuture.supplyAsync(() -> trainUnchecked(tmp.resolve("c")), pool);
            CompletableFuture<Path> d = CompletableFuture.supplyAsync(() -> trainUnchecked(tmp.resolve("d")), pool);
            assertThat(metrics(c.join())).isEqualTo(first);
            assertThat(metrics(d.join())).isEqualTo(first);
        } finally {
            pool.shutdown();
        }
    }

    private static Path trainUnchecked(Path root) {
        try {
            return train(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
