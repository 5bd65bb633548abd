package dev.perceiver.cli;

import dev.perceiver.inference.engine.Engine;
import dev.perceiver.tools.bench.BenchOptions;
import dev.perceiver.tools.bench.BenchRunner;
import dev.perceiver.tools.bench.Workload;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perceiver bench}: runs the benchmark workloads of WORKLOADS.md and prints one JSON line per workload on
 * stdout (progress on stderr).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run the benchmark workloads (docs/WORKLOADS.md) and print one JSON line per workload.",
            "%nEach line: workload, unit, median/min/max rate over the timed repetitions, flops_per_item "
                    + "(matmul FLOPs per item, forward x3 for training), gflops (at the median), threads, "
                    + "interop_threads, device, dtype, reps, warmup, params. Inputs are random with a fixed "
                    + "seed; progress goes to stderr.%n"
        })
public final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--workloads",
            paramLabel = "LIST",
            defaultValue = "img-train,img-infer,clm-train,clm-generate,mlm-infer",
            description = "Comma-separated workloads: img-train, img-infer, clm-train, clm-generate, mlm-infer, "
                    + "and matmul (a 2048x2048 float32 product, the calibration ceiling; not run by default) "
                    + "(default: ${DEFAULT-VALUE}).")
    String workloads;

    @Option(
            names = "--threads",
            defaultValue = "2",
            paramLabel = "N",
            description = "libtorch intra-op and inter-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--reps",
            defaultValue = "10",
            paramLabel = "N",
            description = "Timed repetitions per workload (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(
            names = "--warmup",
            defaultValue = "2",
            paramLabel = "N",
            description = "Untimed repetitions before the timed ones (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "cpu|cuda",
            description = "Device (default: ${DEFAULT-VALUE}); cuda needs the CUDA build of libtorch (mvn -Pcuda).")
    String device;

    @Option(
            names = "--bf16",
            defaultValue = "false",
            description = "Inference workloads in bfloat16; not available with DJL 0.35.1 (its PyTorch JNI has no "
                    + "bfloat16 type), so the command refuses it.")
    boolean bf16;

    @Option(
            names = "--fp16",
            defaultValue = "false",
            description = "clm-generate with float16 decoding steps (generate --fp16): the one-token steps multiply "
                    + "with float16 copies of the weights, which halves the memory traffic that bounds them; its "
                    + "JSON line adds the largest logit difference to float32 and the share of equal tokens. "
                    + "The other workloads stay float32: on CPUs without native float16 arithmetic a float16 "
                    + "matrix product is slower (here 28 against 125 GFLOP/s).")
    boolean fp16;

    @Option(
            names = "--engine",
            defaultValue = "auto",
            paramLabel = "libtorch|onnxruntime|onnxruntime-int8|auto",
            description =
                    "Engine of img-infer, mlm-infer and clm-generate's cached steps (default: ${DEFAULT-VALUE}: ONNX"
                            + " Runtime on a graph exported from the model, where ONNX Runtime loads; see README,"
                            + " Benchmarks; onnxruntime-int8: int8 weights for img-infer and mlm-infer)."
                            + " clm-generate with --fp16 and the training workloads run on libtorch.")
    String engine;

    @Option(
            names = "--tiny",
            defaultValue = "false",
            description = "Tiny models and inputs on the same code path (a smoke test, not a benchmark).")
    boolean tiny;

    @Option(
            names = "--seed",
            defaultValue = "0",
            paramLabel = "S",
            description = "Seed of the model initialisation, inputs and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--profile",
            paramLabel = "DIR",
            description = "Also run one repetition per workload under libtorch's profiler: DIR/WORKLOAD.trace.json "
                    + "(chrome trace) and DIR/WORKLOAD.top.txt (self time by op and input shapes).")
    Path profile;

    @Override
    public Integer call() throws Exception {
        BenchOptions options = new BenchOptions(
                Workload.parseList(workloads),
                threads,
                reps,
                warmup,
                device,
                bf16,
                fp16,
                tiny ? BenchOptions.Scale.TINY : BenchOptions.Scale.FULL,
                seed,
                profile,
                Engine.parse(engine));
        PrintWriter out = Output.stdout();
        BenchRunner.run(
                options,
                r -> {
                    out.println(r.toJsonLine());
                    out.flush();
                },
                System.err);
        return 0;
    }
}
