package dev.perceiver.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a model (a safetensors file, a {@code torch.save} file, safetensors shards) reads each tensor from the file
 * straight into its parameter's engine memory: the Java heap never
 * holds the weights (a 48 MiB model loads in a 32 MiB heap), and the resident set grows by about one tensor (4 MiB)
 * while loading, not by the file (mapping the file grew it by the file's 48 MiB of pages, which stayed resident until
 * the garbage collector unmapped them; reading the file into the heap and copying it twice more grew it by about twice
 * the file size).
 */
class LoadMemoryTest {
    private static final int LAYERS = 12;

    @TempDir
    Path tmp;

    @Test
    void loadingNeedsNoHeapCopyAndHoldsTheWeightsOnce() throws Exception {
        // measured: 6-7 MiB (one 4 MiB tensor, the scan buffer, the JIT); 53 MiB when the file was mapped
        assertLoadHoldsTheWeightsOnce(tmp.resolve("stack.safetensors"));
    }

    @Test
    void loadingATorchSaveFileHoldsTheWeightsOnce() throws Exception {
        // measured: 7.7 MiB; 53 MiB when the file was mapped (the CRC-32 check touched every page)
        assertLoadHoldsTheWeightsOnce(tmp.resolve("pytorch_model.bin"));
    }

    @Test
    void loadingShardedSafetensorsHoldsTheWeightsOnce() throws Exception {
        // measured: 6 MiB; 53 MiB when the shards were mapped
        assertLoadHoldsTheWeightsOnce(tmp.resolve(ShardedCheckpoint.SAFETENSORS_INDEX));
    }

    private void assertLoadHoldsTheWeightsOnce(Path file) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            LoadMemoryProbe.write(new LoadMemoryProbe.Stack(m, LAYERS), file);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx32m",
                        "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_threads=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LoadMemoryProbe.class.getName(),
                        "load",
                        file.toString(),
                        Integer.toString(LAYERS))
                .redirectErrorStream(true)
                .start();
        Map<String, Long> values = new HashMap<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.matches("[a-z_A-Z]+ \\d+")) {
                    String[] f = line.split(" ");
                    values.put(f[0], Long.parseLong(f[1]));
                }
            }
        }
        assertThat(p.waitFor()).as(output.toString()).isZero();
        long fileKb = values.get("file_kB");
        assertThat(values.get("heap_used_after_load_kB")).as(output.toString()).isLessThan(fileKb / 4);
        long growthKb = values.get("peak_rss_during_load_kB") - values.get("rss_built_kB");
        assertThat(growthKb)
                .as("peak resident set growth while loading, kB\n" + output)
                .isLessThan(fileKb / 4);
    }
}
