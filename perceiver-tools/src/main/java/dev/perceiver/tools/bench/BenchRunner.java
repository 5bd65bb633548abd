package dev.perceiver.tools.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.perceiver.nn.EngineProfiler;
import dev.perceiver.nn.EngineSetup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs the benchmark workloads: sets libtorch's thread counts with {@link EngineSetup} (plus one serial worker, a
 * thread with one intra-op thread, on which clm-generate decodes), then per workload builds the model and inputs
 * (fixed seed), runs the untimed warm-up repetitions and the timed ones (each in its own
 * {@link NDScope}, so every array a repetition creates is closed after it), and reports the rates. With a profile
 * folder, one more repetition per workload runs under libtorch's profiler.
 */
public final class BenchRunner {
    /** Rows of the profile summaries. */
    static final int PROFILE_TOP = 15;

    private BenchRunner() {}

    /**
     * Runs every workload of {@code options}; each result goes to {@code sink} as soon as it is measured, progress
     * to {@code progress}.
     */
    public static List<BenchResult> run(BenchOptions options, Consumer<BenchResult> sink, PrintStream progress)
            throws IOException {
        checkBf16(options.bf16());
        EngineSetup setup = EngineSetup.builder()
                .threads(options.threads())
                .interopThreads(options.threads())
                .serialWorkers(1)
                .build();
        try (EngineSetup.Applied engine = setup.apply()) {
            Device device = device(options.device());
            if (options.profileDir() != null) {
                Files.createDirectories(options.profileDir());
            }
            List<BenchResult> results = new ArrayList<>();
            try (NDManager base = NDManager.newBaseManager(device)) {
                for (Workload w : options.workloads()) {
                    BenchResult r = runOne(w, options, base, engine, progress);
                    results.add(r);
                    sink.accept(r);
                }
            }
            return results;
        }
    }

    private static BenchResult runOne(
            Workload w, BenchOptions o, NDManager base, EngineSetup.Applied engine, PrintStream progress)
            throws IOException {
        progress.printf(Locale.ROOT, "%s: building the model and inputs%n", w.id());
        try (BenchCase c = create(w, base, o, engine.serialWorkers())) {
            for (int i = 0; i < o.warmup(); i++) {
                double sec = timeOne(c);
                progress.printf(Locale.ROOT, "%s: warm-up %d/%d %.3f s%n", w.id(), i + 1, o.warmup(), sec);
            }
            double[] rates = new double[o.reps()];
            List<Integer> live = new ArrayList<>();
            for (int i = 0; i < o.reps(); i++) {
                double sec = timeOne(c);
                rates[i] = c.itemsPerRep() / sec;
                live.add(c.manager.getManagedArrays().size());
                progress.printf(
                        Locale.ROOT,
                        "%s: rep %d/%d %.3f s, %.4g %s%n",
                        w.id(),
                        i + 1,
                        o.reps(),
                        sec,
                        rates[i],
                        w.unit());
            }
            if (o.profileDir() != null) {
                profile(c, w, o, progress);
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            return new BenchResult(
                    w,
                    median,
                    sorted[0],
                    sorted[n - 1],
                    c.flopsPerItem(),
                    engine.intraOpThreads(),
                    engine.interopThreads(),
                    o.device(),
                    c.dtype(),
                    o.reps(),
                    o.warmup(),
                    c.model() == null ? 0 : c.model().numParameters(),
                    List.copyOf(live),
                    c.extras(),
                    c.engine());
        }
    }

    /** One repetition in its own scope, on the case's executor if it has one; returns its wall-clock seconds. */
    private static double timeOne(BenchCase c) {
        return onCaseThread(c, () -> timeHere(c));
    }

    /** One repetition in its own scope on this thread; returns its wall-clock seconds. */
    private static double timeHere(BenchCase c) {
        long t0 = System.nanoTime();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            c.run();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * One more repetition under libtorch's profiler (which records the thread that starts it, so it starts on the
     * case's thread): DIR/WORKLOAD.trace.json and its summary WORKLOAD.top.txt.
     */
    private static void profile(BenchCase c, Workload w, BenchOptions o, PrintStream progress) throws IOException {
        Path trace = o.profileDir().resolve(w.id() + ".trace.json").toAbsolutePath();
        onCaseThread(c, () -> {
            try (EngineProfiler profiler = EngineProfiler.start(trace, "cuda".equals(o.device()))) {
                return timeHere(c);
            }
        });
        String table = TraceSummary.read(trace).format(PROFILE_TOP);
        Path top = o.profileDir().resolve(w.id() + ".top.txt");
        Files.writeString(top, table);
        progress.printf(Locale.ROOT, "%s: profile of one repetition: %s%n%s", w.id(), trace, table);
    }

    /** {@code work} on the case's executor (waiting for it), or on this thread when the case has none. */
    private static double onCaseThread(BenchCase c, Supplier<Double> work) {
        try {
            return EngineSetup.callOn(c.executor(), work::get);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a Supplier threw a checked exception", e); // not reachable
        }
    }

    /** @param serialWorkers threads with one intra-op thread each (clm-generate decodes there) */
    static BenchCase create(Workload w, NDManager base, BenchOptions o, Executor serialWorkers) {
        return w.create(base, o, serialWorkers);
    }

    /**
     * Refuses {@code --bf16}: DJL 0.35.1's PyTorch JNI has no bfloat16 data type. Its dtype mapping
     * ({@code GetScalarTypeFromDType} in libdjl_torch) has no case for DJL's BFLOAT16 and ends in a bare
     * {@code throw;}, which aborts the JVM ("terminate called without an active exception") on any cast to or
     * creation of a bfloat16 array, and softmax passes the array's own dtype through the same mapping, so not even a
     * bfloat16 tensor obtained another way could go through attention. float16 is mapped but runs at about
     * 0.3 GFLOP/s on CPUs without AVX512-FP16, so it is no substitute.
     */
    static void checkBf16(boolean bf16) {
        if (bf16) {
            throw new IllegalArgumentException("--bf16 is not supported with DJL 0.35.1: its PyTorch JNI maps no "
                    + "bfloat16 data type (casting to BFLOAT16 aborts the JVM in libdjl_torch), so parameters and "
                    + "inputs cannot be cast; run without --bf16");
        }
    }

    /** The device of {@code --device}: the CPU, or the first GPU when the engine reports one. */
    static Device device(String name) {
        if ("cpu".equals(name)) {
            return Device.cpu();
        }
        Engine engine = Engine.getEngine("PyTorch");
        if (engine.getGpuCount() > 0) {
            return Device.gpu();
        }
        String flavor = EngineSetup.nativeFlavor();
        if ("cpu".equals(flavor)) {
            throw new IllegalArgumentException("--device cuda: no CUDA device: the pytorch-native-cpu build is on "
                    + "the classpath; build with 'mvn -Pcuda -DskipTests package' (DJL then downloads the CUDA build "
                    + "of libtorch on the first run, which needs network) and run on a machine with an NVIDIA GPU");
        }
        throw new IllegalArgumentException("--device cuda: no CUDA device: libtorch " + engine.getVersion()
                + (flavor == null ? "" : " (" + flavor + ")") + " reports 0 GPUs; check the NVIDIA driver and "
                + "CUDA_VISIBLE_DEVICES");
    }
}
