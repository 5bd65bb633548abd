package dev.perceiver.tools.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.perceiver.nn.EngineSetup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Soak test of native and heap memory: runs one benchmark workload's repetition (a generation of clm-generate, a
 * training step of img-train or clm-train) {@code calls} times in one process and samples the resident set size
 * every {@code every} calls. Prints one line per sample and a JSON summary with the growth per 1,000 calls (least
 * squares over the samples after the first, and over the second half, after the heap and allocator have grown to
 * their working size).
 *
 * <pre>java -cp ... dev.perceiver.tools.bench.Soak WORKLOAD [CALLS] [EVERY] [tiny|full] [THREADS]</pre>
 */
public final class Soak {
    private Soak() {}

    /**
     * Summary of one soak run.
     *
     * @param rssMb resident set size in MB at each sample
     * @param slopeMbPer1000 least-squares growth of the resident set in MB per 1,000 calls (samples after the first)
     * @param secondHalfSlopeMbPer1000 the same over the second half of the samples
     */
    record Result(
            String workload,
            int calls,
            int every,
            List<Double> rssMb,
            double slopeMbPer1000,
            double secondHalfSlopeMbPer1000,
            double seconds) {
        String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"soak\": \"%s\", \"calls\": %d, \"every\": %d, \"rss_first_mb\": %.1f, \"rss_last_mb\": %.1f, "
                            + "\"rss_max_mb\": %.1f, \"slope_mb_per_1000_calls\": %.2f, "
                            + "\"second_half_slope_mb_per_1000_calls\": %.2f, \"seconds\": %.0f}",
                    workload,
                    calls,
                    every,
                    rssMb.get(0),
                    rssMb.get(rssMb.size() - 1),
                    rssMb.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    slopeMbPer1000,
                    secondHalfSlopeMbPer1000,
                    seconds);
        }
    }

    /** Runs the soak and prints a line per sample and the JSON summary. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Soak WORKLOAD [CALLS] [EVERY] [tiny|full] [THREADS]");
            System.exit(2);
        }
        Workload w = Workload.of(args[0]);
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int every = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        BenchOptions.Scale scale =
                args.length > 3 && args[3].equals("full") ? BenchOptions.Scale.FULL : BenchOptions.Scale.TINY;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        BenchOptions o = new BenchOptions(List.of(w), threads, 1, 0, "cpu", false, false, scale, 42, null);
        try (EngineSetup.Applied engine = EngineSetup.builder()
                        .threads(threads)
                        .serialWorkers(1)
                        .build()
                        .apply();
                NDManager base = NDManager.newBaseManager()) {
            Result r = soak(w, o, base, engine, calls, every, System.err);
            System.out.println(r.json());
        }
    }

    static Result soak(
            Workload w,
            BenchOptions o,
            NDManager base,
            EngineSetup.Applied engine,
            int calls,
            int every,
            PrintStream progress)
            throws Exception {
        long t0 = System.nanoTime();
        List<Double> rss = new ArrayList<>();
        try (BenchCase c = BenchRunner.create(w, base, o, engine.serialWorkers())) {
            for (int i = 1; i <= calls; i++) {
                EngineSetup.callOn(c.executor(), () -> {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        return c.run();
                    }
                });
                if (i % every == 0) {
                    double mb = rssMb();
                    rss.add(mb);
                    progress.printf(
                            Locale.ROOT,
                            "%s: %d calls, rss %.1f MB, heap used %.1f MB, arrays %d%n",
                            w.id(),
                            i,
                            mb,
                            (Runtime.getRuntime().totalMemory()
                                            - Runtime.getRuntime().freeMemory())
                                    / 1e6,
                            c.manager.getManagedArrays().size());
                }
            }
        }
        return new Result(
                w.id(),
                calls,
                every,
                rss,
                slope(rss, 1, every) * 1000,
                slope(rss, rss.size() / 2, every) * 1000,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Least-squares slope (MB per call) of the samples from index {@code from} (sample i is at call (i+1) * every). */
    static double slope(List<Double> mb, int from, int every) {
        int n = mb.size() - from;
        if (n < 2) {
            return Double.NaN;
        }
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int i = from; i < mb.size(); i++) {
            double x = (double) (i + 1) * every;
            double y = mb.get(i);
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    /** The process's resident set size in MB (VmRSS of /proc/self/status; Linux). */
    static double rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IOException("/proc/self/status has no VmRSS");
    }
}
