package dev.perceiver.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full-size {@code deepmind/language-perceiver}-shaped {@code pytorch_model.bin} (201,108,230 float32 parameters,
 * random, about 805 MB) reads with at most one extra copy of the weights. Writes 805 MB, so it runs only with {@code
 * -Dperceiver.large=true}: {@code mvn -o test -pl perceiver-core -Dtest=LargeTorchCheckpointTest -Dperceiver.large=true}.
 */
@EnabledIfSystemProperty(named = "perceiver.large", matches = "true")
class LargeTorchCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void aFullSizeLanguagePerceiverReadsWithinOneExtraCopyOfItsWeights() throws Exception {
        Path file = dir.resolve("pytorch_model.bin");
        long start = System.nanoTime();
        double sum = TorchFiles.writeRandom(file, LanguagePerceiverShapes.published(), 42);
        long size = Files.size(file);
        System.out.printf("wrote %s: %d bytes in %d ms%n", file, size, (System.nanoTime() - start) / 1_000_000);
        long weightsKb = 201_108_230L * 4 / 1024;

        Map<String, String> none = probe(file, "none");
        Map<String, String> read = probe(file, "read");
        Map<String, String> load = probe(file, "load");
        Map<String, String> mapped = probe(file, "load-mapped");
        Map<String, String> opened = probe(file, "load-opened");
        System.out.println("none: " + none);
        System.out.println("read: " + read);
        System.out.println("load: " + load);
        System.out.println("load-mapped: " + mapped);
        System.out.println("load-opened: " + opened);

        assertThat(read.get("parameters")).isEqualTo("201108230");
        // float64 sums of the same floats, accumulated in different groupings
        assertThat(Double.parseDouble(read.get("sum"))).isCloseTo(sum, within(1e-6));
        assertThat(Double.parseDouble(load.get("module_sum"))).isCloseTo(sum, within(1e-2));
        long readPeak = kb(read, "VmHWM") - kb(none, "VmHWM");
        long readAnon = kb(read, "RssAnon") - kb(none, "RssAnon");
        long loadPeak = kb(load, "VmHWM") - kb(load, "after_init_VmHWM");
        long loadAnon = kb(load, "RssAnon") - kb(load, "after_init_RssAnon");
        long mappedPeak = kb(mapped, "VmHWM") - kb(mapped, "after_init_VmHWM");
        long openedPeak = kb(opened, "VmHWM") - kb(opened, "after_init_VmHWM");
        System.out.printf(
                "loading as a model folder does (CheckpointFiles.open): peak +%d MiB over the module%n",
                openedPeak / 1024);
        assertThat(Double.parseDouble(opened.get("module_sum"))).isCloseTo(sum, within(1e-2));
        // read from the file into the parameters: the weights are held once, plus one tensor and the buffers
        assertThat(openedPeak).isLessThan(weightsKb / 4);
        System.out.printf(
                "weights %d MiB; reading every tensor: peak +%d MiB over the bare JVM (anonymous +%d MiB, the rest is"
                        + " the mapped file); loading into an initialised module: peak +%d MiB over the module"
                        + " (anonymous +%d MiB at the end) through StateDicts.load, +%d MiB loading the mapped tensors"
                        + " directly%n",
                weightsKb / 1024,
                readPeak / 1024,
                readAnon / 1024,
                loadPeak / 1024,
                loadAnon / 1024,
                mappedPeak / 1024);
        // reading: the mapped file is the only copy of the weights; no heap or native copy (the heap is 256 MB)
        assertThat(readPeak).isLessThan(weightsKb + 128 * 1024);
        assertThat(readAnon).isLessThan(128 * 1024);
        // loading: the module's own arrays, the mapped file, and transient per-tensor buffers of StateDicts
        assertThat(loadPeak).isLessThan(2 * weightsKb);
        // loading the mapped tensors directly: the module's arrays plus exactly one more copy, the mapped file
        assertThat(mappedPeak).isLessThan(weightsKb + 128 * 1024);
    }

    private static long kb(Map<String, String> probe, String key) {
        return Long.parseLong(probe.get(key + "_kb"));
    }

    private static Map<String, String> probe(Path file, String mode) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xms256m",
                        "-Xmx256m",
                        "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_threads=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LargeCheckpointProbe.class.getName(),
                        file.toString(),
                        mode)
                .redirectErrorStream(true)
                .start();
        Map<String, String> out = new HashMap<>();
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                String[] kv = line.split(" ", 2);
                if (kv.length == 2 && kv[0].matches("[a-zA-Z_]+")) {
                    out.put(kv[0], kv[1]);
                }
            }
        }
        assertThat(p.waitFor()).as(all.toString()).isZero();
        return out;
    }
}
