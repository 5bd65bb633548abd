package dev.perceiver.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hundreds of forward passes keep native memory flat when each pass runs in its own scope. */
class NativeMemoryTest {
    @Test
    void repeatedForwardPassesDoNotGrowNativeMemory() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xms64m",
                        "-Xmx64m",
                        "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_threads=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        NativeMemoryProbe.class.getName(),
                        "4",
                        "200")
                .redirectErrorStream(true)
                .start();
        List<long[]> rows = new ArrayList<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.matches("\\d+ \\d+")) {
                    String[] f = line.split(" ");
                    rows.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
                }
            }
        }
        assertThat(p.waitFor()).as(output.toString()).isZero();
        assertThat(rows).as(output.toString()).hasSize(5);
        // no native tensors accumulate in the manager ...
        assertThat(rows).extracting(row -> row[0]).containsOnly(rows.get(0)[0]);
        // ... and the resident set stays flat after the warm-up window: a leak of each pass's intermediates would
        // grow it by tens of MB over these 800 passes
        long growthKb = rows.get(4)[1] - rows.get(1)[1];
        assertThat(growthKb)
                .as("resident set growth over 600 passes after warm-up, kB\n" + output)
                .isLessThan(16 * 1024);
    }
}
