package dev.perceiver.spark;

import dev.perceiver.inference.engine.Engine;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * What every executor needs to run one {@code perceiver spark} job, sent with the tasks (hence serializable).
 *
 * @param task the task
 * @param modelDir model folder, a path every executor can read (local mode: this machine's; a cluster: a shared file
 *     system or the same path on each machine)
 * @param inputFields input fields of a row after {@code id}, in order (see {@link InferenceTask#inputFields()})
 * @param batchSize inputs per forward pass, >= 1
 * @param topK labels or candidates per input (classify-text, classify-image, fill-mask), >= 1
 * @param maxNewTokens tokens to generate per prompt (generate), >= 1
 * @param numLatents latent positions at the end of a prompt at the start (generate), >= 1
 * @param pooling {@code mean} (one D-vector per input) or {@code all} (N x D latents) for embed
 * @param minOverlap minimum overlap of neighbouring flow tiles in pixels (flow)
 * @param threads libtorch intra-op threads of each executor JVM, set once when it loads its first model, >= 1, or 0
 *     for the executor's cores divided by {@code slots}
 * @param slots tasks one executor runs at once (its cores for Spark), >= 1
 * @param failFast whether a failed row fails the job (else it becomes a row with {@code error})
 * @param engine engine of the forward passes (generate: the cached decoding steps), as the single-process commands'
 *     {@code --engine}: LIBTORCH, ONNXRUNTIME or AUTO (ONNX Runtime where it loads, else libtorch); embed runs the
 *     encoder alone, which only libtorch runs, so AUTO means libtorch there and ONNXRUNTIME is refused
 */
public record InferenceSettings(
        InferenceTask task,
        String modelDir,
        List<String> inputFields,
        int batchSize,
        int topK,
        int maxNewTokens,
        int numLatents,
        String pooling,
        int minOverlap,
        int threads,
        int slots,
        boolean failFast,
        Engine engine)
        implements Serializable {
    /** Validates the ranges; messages name the option, the value and the valid range. */
    public InferenceSettings {
        inputFields = List.copyOf(inputFields);
        positive("--batch-size", batchSize);
        positive("--top-k", topK);
        positive("--max-new-tokens", maxNewTokens);
        positive("--num-latents", numLatents);
        positive("slots", slots);
        if (threads < 0) {
            throw new IllegalArgumentException("--threads (" + threads + ") must be >= 1, or 0 for cores / task slots");
        }
        if (minOverlap < 0) {
            throw new IllegalArgumentException("--min-overlap (" + minOverlap + ") must be >= 0");
        }
        if (!pooling.equals("mean") && !pooling.equals("all")) {
            throw new IllegalArgumentException("--pooling (" + pooling + ") must be mean or all");
        }
        checkEngine(task, engine);
    }

    /**
     * Checks that {@code task} can run on {@code engine}.
     *
     * @throws IllegalArgumentException for embed on ONNXRUNTIME (the encoder alone runs on libtorch only), generate on
     *     ONNXRUNTIME_INT8
     */
    static void checkEngine(InferenceTask task, Engine engine) {
        Objects.requireNonNull(engine, "engine");
        if (task == InferenceTask.EMBED && engine.forcesOnnxRuntime()) {
            throw new IllegalArgumentException("--engine " + engine.label() + ": embed runs the encoder alone, on"
                    + " libtorch only; use --engine libtorch or auto");
        }
        if (task == InferenceTask.GENERATE && engine == Engine.ONNXRUNTIME_INT8) {
            throw new IllegalArgumentException("--engine onnxruntime-int8: generate has no int8 graph; use --engine"
                    + " onnxruntime, auto or libtorch");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " (" + value + ") must be >= 1");
        }
    }

    /** The intra-op thread count for an executor JVM with {@code cores} cores. */
    int threadsFor(int cores) {
        return threads > 0 ? threads : Math.max(1, cores / slots);
    }

    /**
     * The intra-op threads of an ONNX Runtime session in an executor JVM with {@code cores} cores: the JVM's whole
     * budget, {@link #threadsFor} times {@code slots} (at most 1024). One session serves the JVM's {@code slots}
     * concurrent tasks, and concurrent calls share the session's one thread pool, so a pool of one task's share would
     * leave the other tasks' cores idle; libtorch instead gives each calling task {@link #threadsFor} threads of its
     * own, the same budget in all.
     */
    int sessionThreadsFor(int cores) {
        return (int) Math.min(1024, (long) threadsFor(cores) * slots);
    }

    /** A copy reading {@code fields} from the input. */
    InferenceSettings withInputFields(List<String> fields) {
        return new InferenceSettings(
                task,
                modelDir,
                fields,
                batchSize,
                topK,
                maxNewTokens,
                numLatents,
                pooling,
                minOverlap,
                threads,
                slots,
                failFast,
                engine);
    }

    /**
     * Key of the per-JVM model cache: a predictor holds its options (top-k, new tokens, pooling, ...), so one is shared
     * only by jobs with the same task, folder and options; a job with other options gets its own.
     */
    String modelKey() {
        return toString();
    }
}
