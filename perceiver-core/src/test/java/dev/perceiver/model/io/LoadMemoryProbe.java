package dev.perceiver.model.io;

import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves or loads a model of {@code layers} linear layers 1024 x 1024 (4 MiB each) in a JVM of its own and prints
 * the memory that loading takes: {@code save FILE LAYERS} writes the weights; {@code load FILE LAYERS} builds the
 * model, resets the peak resident set, loads the file and prints {@code key value} lines (kB from
 * /proc/self/status, ms).
 */
public final class LoadMemoryProbe {
    private LoadMemoryProbe() {}

    /** A stack of linear layers: the simplest model of a given size. */
    static final class Stack extends Module {
        Stack(NDManager m, int layers) {
            super(m);
            for (int i = 0; i < layers; i++) {
                child(Integer.toString(i), new Linear(m, 1024, 1024, true, 0.02));
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[1]);
        int layers = Integer.parseInt(args[2]);
        try (NDManager manager = NDManager.newBaseManager()) {
            Stack model = new Stack(manager, layers);
            if (args[0].equals("save")) {
                StateDicts.save(model, file, "", Map.of());
                return;
            }
            warmUp(manager, file);
            System.gc();
            print("rss_built_kB", status("VmRSS"));
            print("file_kB", Files.size(file) / 1024);
            // "5" resets the peak resident set (VmHWM) to the current one (Linux 4.0+)
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            long t0 = System.nanoTime();
            StateDicts.load(model, file);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            print("load_ms", ms);
            print("peak_rss_during_load_kB", status("VmHWM"));
            print("rss_after_load_kB", status("VmRSS"));
            print("rss_anon_after_load_kB", status("RssAnon"));
            print("rss_file_after_load_kB", status("RssFile"));
            print("heap_used_after_load_kB", usedHeapKb());
            System.gc();
            print("rss_after_gc_kB", status("VmRSS"));
            print("rss_anon_after_gc_kB", status("RssAnon"));
            print("rss_file_after_gc_kB", status("RssFile"));
        }
    }

    /** Loads the classes that loading uses (parser, file reading), so that their memory does not count as loading's. */
    private static void warmUp(NDManager manager, Path file) throws IOException {
        Linear tiny = new Linear(manager, 2, 2, true, 0.02);
        Path small = Files.createTempFile(file.getParent(), "warm-up", ".safetensors");
        try {
            StateDicts.save(tiny, small, "", Map.of());
            StateDicts.load(tiny, small);
        } finally {
            Files.delete(small);
        }
    }

    private static long usedHeapKb() {
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) / 1024;
    }

    private static void print(String key, long value) {
        System.out.println(key + " " + value);
    }

    static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }
}
