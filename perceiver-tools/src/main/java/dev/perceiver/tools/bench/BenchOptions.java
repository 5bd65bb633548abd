package dev.perceiver.tools.bench;

import dev.perceiver.inference.engine.Engine;
import java.nio.file.Path;
import java.util.List;

/**
 * Options of one benchmark run.
 *
 * @param workloads workloads in the order to run, at least one
 * @param threads libtorch intra-op and inter-op threads, in [1, 1024]
 * @param reps timed repetitions per workload, in [1, 100000]
 * @param warmup untimed repetitions before them, in [0, 100000]
 * @param device {@code cpu} or {@code cuda}
 * @param bf16 inference workloads in bfloat16 (refused: see {@link BenchRunner#checkBf16})
 * @param fp16 clm-generate with float16 decoding steps
 *     ({@link dev.perceiver.inference.decoding.GenerationConfig#float16Steps});
 *        the other workloads stay float32
 * @param scale full-size workloads or the tiny variants used by tests
 * @param seed seed of the model initialisation, the inputs and the dropout masks
 * @param profileDir where to write a libtorch profile of one extra repetition per workload, or null
 * @param engine engine of the inference workloads img-infer, mlm-infer and clm-generate (AUTO: ONNX Runtime where it
 *     loads; clm-generate with --fp16 runs on libtorch); training always runs on libtorch
 */
public record BenchOptions(
        List<Workload> workloads,
        int threads,
        int reps,
        int warmup,
        String device,
        boolean bf16,
        boolean fp16,
        Scale scale,
        long seed,
        Path profileDir,
        Engine engine) {
    /** Largest accepted thread count. */
    public static final int MAX_THREADS = 1024;
    /** Largest accepted number of (warm-up) repetitions. */
    public static final int MAX_REPS = 100_000;

    /** Validates the ranges; messages name the option, the value and the valid range. */
    public BenchOptions {
        if (workloads == null || workloads.isEmpty()) {
            throw new IllegalArgumentException(
                    "--workloads must name at least one workload; valid: " + Workload.validNames());
        }
        workloads = List.copyOf(workloads);
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("--threads (" + threads + ") must be in [1, " + MAX_THREADS + "]");
        }
        if (reps < 1 || reps > MAX_REPS) {
            throw new IllegalArgumentException("--reps (" + reps + ") must be in [1, " + MAX_REPS + "]");
        }
        if (warmup < 0 || warmup > MAX_REPS) {
            throw new IllegalArgumentException("--warmup (" + warmup + ") must be in [0, " + MAX_REPS + "]");
        }
        if (!"cpu".equals(device) && !"cuda".equals(device)) {
            throw new IllegalArgumentException("--device (" + device + ") must be cpu or cuda");
        }
        if (engine == null) {
            throw new IllegalArgumentException("--engine must be libtorch, onnxruntime, onnxruntime-int8 or auto");
        }
        if (scale == null) {
            throw new IllegalArgumentException("scale must be FULL or TINY");
        }
    }

    /** Options on the default engine (AUTO). */
    public BenchOptions(
            List<Workload> workloads,
            int threads,
            int reps,
            int warmup,
            String device,
            boolean bf16,
            boolean fp16,
            Scale scale,
            long seed,
            Path profileDir) {
        this(workloads, threads, reps, warmup, device, bf16, fp16, scale, seed, profileDir, Engine.AUTO);
    }

    /** Full-size workloads, seed 0, no profile. */
    public static BenchOptions of(List<Workload> workloads, int threads, int reps, int warmup) {
        return new BenchOptions(workloads, threads, reps, warmup, "cpu", false, false, Scale.FULL, 0L, null);
    }

    /** The workload sizes: those of WORKLOADS.md, or tiny models and inputs on the same code path (tests). */
    public enum Scale {
        FULL,
        TINY
    }
}
