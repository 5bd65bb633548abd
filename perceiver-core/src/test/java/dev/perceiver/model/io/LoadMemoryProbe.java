package dev.perceiver.model.io;

import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves or loads a model of {@code layers} linear layers 1024 x 1024 (4 MiB each) in a JVM of its own and prints
 * the memory that loading takes: {@code save FILE LAYERS} writes the weights ({@link #write}: a safetensors file, a
 * {@code torch.save} file, or safetensors shards beside an index, by the file's name); {@code load FILE LAYERS} builds
 * the model, resets the peak resident set, loads the file as a model folder does ({@link CheckpointFiles#open}) and
 * prints {@code key value} lines (kB from /proc/self/status, ms).
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
                write(model, file);
                return;
            }
            warmUp(manager, file);
            System.gc();
            print("rss_built_kB", status("VmRSS"));
            print("file_kB", weightBytes(file) / 1024);
            // "5" resets the peak resident set (VmHWM) to the current one (Linux 4.0+)
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            long t0 = System.nanoTime();
            load(model, file);
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

    /**
     * Writes a module's weights in the format {@code file}'s name asks for: {@code *.safetensors} as one file, {@code
     * *.bin} as a {@code torch.save} file of random values in [-1, 1) ({@link TorchFiles#writeRandom}), {@code
     * *.index.json} as two safetensors shards beside it (the first half of the tensors, then the rest).
     */
    static void write(Module module, Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            StateDicts.save(module, file, "", Map.of());
        } else if (name.endsWith(".bin")) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            module.stateDict().forEach((k, p) -> shapes.put(k, p.shape().getShape()));
            TorchFiles.writeRandom(file, shapes, 7);
        } else if (name.endsWith(".index.json")) {
            Map<String, TensorData> all = StateDicts.toTensors(module, "");
            List<String> names = new ArrayList<>(all.keySet());
            StringBuilder weightMap = new StringBuilder();
            for (int shard = 0; shard < 2; shard++) {
                String shardName = "model-0000" + (shard + 1) + "-of-00002.safetensors";
                Map<String, TensorData> part = new LinkedHashMap<>();
                int from = shard * names.size() / 2;
                int to = (shard + 1) * names.size() / 2;
                for (String k : names.subList(from, to)) {
                    part.put(k, all.get(k));
                    weightMap
                            .append(weightMap.length() == 0 ? "" : ", ")
                            .append('"')
                            .append(k)
                            .append("\": \"")
                            .append(shardName)
                            .append('"');
                }
                SafetensorsFile.write(file.resolveSibling(shardName), part, Map.of("format", "pt"));
            }
            Files.writeString(file, "{\"metadata\": {}, \"weight_map\": {" + weightMap + "}}");
        } else {
            throw new IllegalArgumentException("file name must end in .safetensors, .bin or .index.json: " + file);
        }
    }

    /** The bytes of the weight files: the file, or the shards its index names. */
    private static long weightBytes(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(".index.json")) {
            return Files.size(file);
        }
        long sum = 0;
        for (String shard :
                new java.util.TreeSet<>(ShardedCheckpoint.weightMap(file).values())) {
            sum += Files.size(file.resolveSibling(shard));
        }
        return sum;
    }

    /** Loads a weight file as {@link ModelFolder} does. */
    static void load(Module module, Path file) throws IOException {
        try (CheckpointFiles.Opened opened = CheckpointFiles.open(file)) {
            StateDicts.load(module, opened.tensors(), "", file.toString());
        }
    }

    /**
     * Loads the classes that loading uses (parser, file reading), so that their memory does not count as loading's:
     * a tiny file of the same format is written and loaded.
     */
    private static void warmUp(NDManager manager, Path file) throws IOException {
        Linear tiny = new Linear(manager, 2, 2, true, 0.02);
        Path small = Files.createTempDirectory(file.getParent(), "warm-up");
        try {
            write(tiny, small.resolve(file.getFileName()));
            load(tiny, small.resolve(file.getFileName()));
        } finally {
            try (var files = Files.list(small)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
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
