package dev.perceiver.model.io;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a large {@code torch.save} file in a JVM of its own (small fixed heap, so no heap copy of the weights can
 * hide) and prints its peak resident memory: {@code read} touches every tensor's values through {@link
 * TorchCheckpoint#tensors()}; {@code load} also builds a module of the same shapes (parameters initialised to ones,
 * as a model's initialiser touches them) and loads the file into it with {@link StateDicts#load}; {@code
 * load-mapped} loads each mapped tensor straight into its parameter instead (no intermediate copy: what {@code
 * StateDicts} can do for tensors that are views of a mapped file); {@code load-opened} loads it as a model folder
 * does ({@link CheckpointFiles#open}: each tensor read from the file into its parameter); {@code none} measures the JVM alone. Prints {@code
 * key value} lines.
 */
public final class LargeCheckpointProbe {
    private LargeCheckpointProbe() {}

    /** A module whose parameters are the given names and shapes. */
    static final class FlatModule extends Module {
        FlatModule(NDManager manager, Map<String, long[]> shapes) {
            super(manager);
            shapes.forEach((name, shape) -> parameter(name, manager.ones(new Shape(shape))));
        }
    }

    /** The float64 sum of a module's parameters (its temporary arrays belong to the module's manager). */
    private static double moduleSum(Module module) {
        double sum = 0;
        for (var p : module.stateDict().values()) {
            sum += p.array()
                    .sum()
                    .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                    .getDouble();
        }
        return sum;
    }

    public static void main(String[] args) throws IOException {
        Path path = Path.of(args[0]);
        String mode = args[1];
        long start = System.nanoTime();
        if (mode.equals("read")) {
            TorchCheckpoint ckpt = TorchCheckpoint.read(path);
            System.out.println("open_ms " + (System.nanoTime() - start) / 1_000_000);
            double sum = 0;
            long count = 0;
            for (TensorData t : ckpt.tensors().values()) {
                FloatBuffer f = t.data().asFloatBuffer();
                for (int i = 0; i < f.limit(); i++) {
                    sum += f.get(i);
                }
                count += t.numel();
            }
            System.out.println("sum " + sum);
            System.out.println("parameters " + count);
        } else if (mode.equals("load-mapped")) {
            try (NDManager manager = NDManager.newBaseManager()) {
                FlatModule module = new FlatModule(manager, LanguagePerceiverShapes.published());
                status("after_init_");
                Map<String, TensorData> tensors = TorchCheckpoint.read(path).tensors();
                for (Map.Entry<String, Parameter> e : module.stateDict().entrySet()) {
                    TensorData t = tensors.get(e.getKey());
                    // the mapped bytes are borrowed by a temporary array; Parameter.load copies them into libtorch
                    try (NDManager tmp = manager.newSubManager()) {
                        e.getValue()
                                .load(tmp.create(
                                        t.data().order(ByteOrder.nativeOrder()),
                                        new Shape(t.shape()),
                                        StateDicts.dataType(t.dtype())));
                    }
                }
                status("loaded_");
            }
        } else if (mode.equals("load-opened")) {
            try (NDManager manager = NDManager.newBaseManager()) {
                FlatModule module = new FlatModule(manager, LanguagePerceiverShapes.published());
                status("after_init_");
                long loadStart = System.nanoTime();
                try (CheckpointFiles.Opened opened = CheckpointFiles.open(path)) {
                    StateDicts.load(module, opened.tensors(), "", path.toString());
                }
                System.out.println("load_ms " + (System.nanoTime() - loadStart) / 1_000_000);
                System.out.println("module_sum " + moduleSum(module));
            }
        } else if (mode.equals("load")) {
            try (NDManager manager = NDManager.newBaseManager()) {
                FlatModule module = new FlatModule(manager, LanguagePerceiverShapes.published());
                status("after_init_");
                long loadStart = System.nanoTime();
                StateDicts.load(module, TorchCheckpoint.read(path).tensors(), "", path.toString());
                System.out.println("load_ms " + (System.nanoTime() - loadStart) / 1_000_000);
                System.out.println("module_sum " + moduleSum(module));
            }
        }
        System.out.println("total_ms " + (System.nanoTime() - start) / 1_000_000);
        status("");
    }

    private static void status(String prefix) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            for (String key : new String[] {"VmHWM", "VmRSS", "RssAnon", "RssFile"}) {
                if (line.startsWith(key + ":")) {
                    System.out.println(prefix + key + "_kb " + line.replaceAll("[^0-9]", ""));
                }
            }
        }
    }
}
