package dev.perceiver.tools.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import dev.perceiver.nn.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executor;

/**
 * One workload, set up (model, optimizer, inputs) in a manager of its own: {@link #run()} performs one repetition.
 * The runner calls it inside an {@link ai.djl.ndarray.NDScope} that closes every array the repetition creates.
 */
abstract class BenchCase implements AutoCloseable {
    /** Owns the model, the optimizer state and the inputs; closed by {@link #close()}. */
    protected final NDManager manager;

    protected BenchCase(NDManager base, long seed) {
        this.manager = base.newSubManager();
        Engine.getInstance().setRandomSeed((int) (seed & 0x7fffffff));
    }

    /** One repetition; returns a value read back from the result (forces the computation, checks it). */
    abstract float run();

    /** Items (samples, tokens, sequences) one repetition processes: the rate is items / seconds. */
    abstract long itemsPerRep();

    /** Matrix-multiply FLOPs per item (forward x 3 for training), or 0 when not defined. */
    abstract long flopsPerItem();

    /** The model, for its parameter count (null for the calibration product). */
    abstract Module model();

    /** The data type of the workload's arithmetic, as reported in the JSON line. */
    String dtype() {
        return "float32";
    }

    /** The engine of the repetitions, as reported in the JSON line. */
    String engine() {
        return "libtorch";
    }

    /** Where the runner runs the repetitions (and the profiled one), or null for its own thread. */
    Executor executor() {
        return null;
    }

    /** Extra JSON fields measured after the timed repetitions (e.g. accuracy against float32); none by default. */
    java.util.Map<String, Double> extras() {
        return java.util.Map.of();
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Uniform random floats in [-1, 1) (never all zeros) of the given shape. */
    protected NDArray uniform(long... shape) {
        return manager.randomUniform(-1f, 1f, new Shape(shape));
    }

    /** int64 array (rows, cols) of random ids in [lo, hi), owning its memory (not borrowing a Java buffer). */
    protected NDArray randomIds(Random random, int rows, int cols, int lo, int hi) {
        long[] ids = new long[rows * cols];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = lo + random.nextInt(hi - lo);
        }
        return Tensors.owned(manager, ids, new Shape(rows, cols));
    }

    /** Trainable parameters under their state-dict keys. */
    protected static Map<String, Parameter> trainable(Module model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, p) -> {
            if (!p.isBuffer()) {
                out.put(k, p);
            }
        });
        return out;
    }

    /** The first element of an array as float, which must be finite. */
    protected static float firstFinite(NDArray a, String what) {
        float v = a.reshape(-1)
                .get(0)
                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .getFloat();
        if (!Float.isFinite(v)) {
            throw new IllegalStateException(what + " is " + v);
        }
        return v;
    }

    /** First token of the byte range of the Perceiver UTF-8 tokenizer (ids below are special tokens). */
    static final int FIRST_BYTE_TOKEN = 6;
}
