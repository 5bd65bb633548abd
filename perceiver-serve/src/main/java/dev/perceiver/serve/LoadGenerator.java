package dev.perceiver.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.json.ResultJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A closed-loop load generator for a server on this machine: {@code clients} threads each send the same request
 * again and again for {@code seconds}, each waiting for its answer before the next. Reports requests per second,
 * latency percentiles, errors (any status but 200, or no answer) and the server's resident memory (from
 * /proc/PID/status) before and after. Only loopback addresses are accepted.
 */
public final class LoadGenerator {
    /**
     * What one run measured.
     *
     * @param rssStartKb the server's resident set before the run, in KiB, or -1 without a pid
     * @param rssEndKb the same after the run
     */
    public record Report(
            int clients,
            double seconds,
            long requests,
            long errors,
            double requestsPerSecond,
            double p50Ms,
            double p99Ms,
            double maxMs,
            long rssStartKb,
            long rssEndKb) {
        /** One JSON line. */
        public String json() {
            ObjectNode o = ResultJson.MAPPER.createObjectNode();
            o.put("clients", clients);
            o.put("seconds", Math.round(seconds * 100) / 100.0);
            o.put("requests", requests);
            o.put("errors", errors);
            o.put("requests_per_second", Math.round(requestsPerSecond * 100) / 100.0);
            o.put("p50_ms", Math.round(p50Ms * 100) / 100.0);
            o.put("p99_ms", Math.round(p99Ms * 100) / 100.0);
            o.put("max_ms", Math.round(maxMs * 100) / 100.0);
            o.put("rss_start_mb", rssStartKb < 0 ? -1 : Math.round(rssStartKb / 102.4) / 10.0);
            o.put("rss_end_mb", rssEndKb < 0 ? -1 : Math.round(rssEndKb / 102.4) / 10.0);
            return ResultJson.line(o);
        }
    }

    private final URI target;
    private final byte[] body;
    private final Long serverPid;
    private final HttpClient client;

    /**
     * @param target e.g. {@code http://127.0.0.1:8080/v1/models/clm}; its host must be a loopback address
     * @param body the JSON body every request sends
     * @param serverPid the server's process id for its memory, or null
     */
    public LoadGenerator(URI target, String body, Long serverPid) throws IOException {
        InetAddress host = InetAddress.getByName(target.getHost());
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException(
                    "--url " + target + ": the load generator only targets loopback addresses (127.0.0.1, ::1)");
        }
        this.target = target;
        this.body = body.getBytes(StandardCharsets.UTF_8);
        this.serverPid = serverPid;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Runs {@code clients} loops for {@code seconds} and reports. */
    public Report run(int clients, double seconds) throws Exception {
        if (clients < 1 || seconds <= 0) {
            throw new IllegalArgumentException(
                    "clients (" + clients + ") must be >= 1 and seconds (" + seconds + ") > 0");
        }
        long rssStart = rssKb();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> results = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> loop(deadline)));
            }
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> f : results) {
                all.add(f.get());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            return report(clients, elapsed, all, rssStart, rssKb());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Latencies in ns of one client's requests; errors are stored negated. */
    private long[] loop(long deadline) {
        long[] lat = new long[1024];
        int n = 0;
        HttpRequest request = HttpRequest.newBuilder(target)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            boolean ok;
            try {
                HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                ok = r.statusCode() == 200;
            } catch (IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long dt = Math.max(1, System.nanoTime() - t0);
            if (n == lat.length) {
                lat = Arrays.copyOf(lat, n * 2);
            }
            lat[n++] = ok ? dt : -dt;
        }
        return Arrays.copyOf(lat, n);
    }

    private static Report report(int clients, double elapsed, List<long[]> all, long rssStart, long rssEnd) {
        long errors = 0;
        int total = 0;
        for (long[] a : all) {
            total += a.length;
        }
        double[] ms = new double[total];
        int i = 0;
        for (long[] a : all) {
            for (long v : a) {
                if (v < 0) {
                    errors++;
                }
                ms[i++] = Math.abs(v) / 1e6;
            }
        }
        Arrays.sort(ms);
        return new Report(
                clients,
                elapsed,
                total,
                errors,
                total / elapsed,
                percentile(ms, 0.50),
                percentile(ms, 0.99),
                total == 0 ? Double.NaN : ms[total - 1],
                rssStart,
                rssEnd);
    }

    /** The nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private long rssKb() throws IOException {
        if (serverPid == null) {
            return -1;
        }
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(serverPid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/" + serverPid + "/status");
    }
}
