package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded queue (429), the request timeout (503), draining on shutdown, and the load generator. */
class LimitsAndShutdownTest {
    @TempDir
    static Path root;

    private static Map<String, Path> folders;

    private static final String SLOW = "{\"inputs\": \"We the People\", \"parameters\": {\"max_new_tokens\": 48}}";

    @BeforeAll
    static void save() throws Exception {
        folders = ServeTestModels.save(root);
    }

    private static List<Http.Answer> concurrently(Http http, int n, String body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Http.Answer>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> http.post("/v1/models/clm", body)));
            }
            List<Http.Answer> out = new ArrayList<>();
            for (Future<Http.Answer> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFullQueueAnswers429AndTheRestSucceed() throws Exception {
        try (PerceiverServer server = PerceiverServer.start(
                Map.of("clm", folders.get("clm")),
                ServeOptions.defaults().withPort(0).withBatching(1, 0).withQueue(1, 60_000))) {
            Http http = new Http(server.port());
            List<Http.Answer> answers = concurrently(http, 16, SLOW);
            long refused = answers.stream().filter(a -> a.status() == 429).count();
            long ok = answers.stream().filter(a -> a.status() == 200).count();
            assertThat(refused).isPositive();
            assertThat(ok + refused).isEqualTo(16);
            JsonNode error = answers.stream()
                    .filter(a -> a.status() == 429)
                    .findFirst()
                    .orElseThrow()
                    .json();
            assertThat(error.get("error").asText()).contains("max_queue");
            assertThat(http.get("/health").status()).isEqualTo(200);
            assertThat(http.post("/v1/models/clm", SLOW).status()).isEqualTo(200);
        }
    }

    @Test
    void aRequestPastItsTimeoutAnswers503() throws Exception {
        try (PerceiverServer server = PerceiverServer.start(
                Map.of("clm", folders.get("clm")),
                ServeOptions.defaults().withPort(0).withQueue(64, 1))) {
            Http http = new Http(server.port());
            Http.Answer a = http.post("/v1/models/clm", SLOW);
            assertThat(a.status()).isEqualTo(503);
            assertThat(a.json().get("error").asText()).contains("timeout_ms");
            assertThat(http.get("/health").status()).isEqualTo(200);
        }
    }

    @Test
    void drainingFinishesRequestsInFlightThenStops() throws Exception {
        PerceiverServer server = PerceiverServer.start(
                Map.of("clm", folders.get("clm")),
                ServeOptions.defaults().withPort(0).withBatching(1, 0));
        Http http = new Http(server.port());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Http.Answer>> inFlight = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                inFlight.add(pool.submit(() -> http.post("/v1/models/clm", SLOW)));
            }
            // drain only once the server has received all six: a request whose bytes have not reached it yet is not
            // in flight, and its connection is closed without an answer (a fixed sleep here made the test flaky)
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (server.requestsReceived() < 6 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(server.requestsReceived()).isEqualTo(6);
            server.drainAndStop();
            for (Future<Http.Answer> f : inFlight) {
                assertThat(f.get().status()).isIn(200, 503);
            }
            assertThat(inFlight.stream().filter(f -> {
                        try {
                            return f.get().status() == 200;
                        } catch (Exception e) {
                            return false;
                        }
                    }))
                    .isNotEmpty();
            assertThatThrownBy(() -> http.get("/health")).isInstanceOf(java.io.IOException.class);
        } finally {
            pool.shutdown();
            server.close();
        }
    }

    @Test
    void loadGeneratorReportsRatesAndRefusesOtherHosts() throws Exception {
        try (PerceiverServer server = PerceiverServer.start(
                Map.of("clf", folders.get("clf")), ServeOptions.defaults().withPort(0))) {
            LoadGenerator load = new LoadGenerator(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/models/clf"),
                    "{\"inputs\": \"A fine film.\"}",
                    ProcessHandle.current().pid());
            LoadGenerator.Report r = load.run(4, 1.0);
            assertThat(r.requests()).isPositive();
            assertThat(r.errors()).isZero();
            assertThat(r.p99Ms()).isGreaterThanOrEqualTo(r.p50Ms());
            assertThat(r.rssStartKb()).isPositive();
            assertThat(r.json()).contains("\"requests_per_second\"");
        }
        assertThatThrownBy(() -> new LoadGenerator(URI.create("http://8.8.8.8:80/v1/models/x"), "{}", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
    }
}
