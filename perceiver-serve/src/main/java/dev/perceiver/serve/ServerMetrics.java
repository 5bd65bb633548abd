package dev.perceiver.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics (its own registry, exposed in the text format at {@code GET /metrics}): requests
 * and errors by model and status, request latency, batch sizes, generated tokens, tokens per second of the last
 * generation, queue length and requests in flight.
 */
public final class ServerMetrics {
    /** Content type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder()
            .name("perceiver_requests_total")
            .help("HTTP requests to a model, by model and status")
            .labelNames("model", "status")
            .register(registry);
    private final Counter errors = Counter.builder()
            .name("perceiver_errors_total")
            .help("Requests answered with a 4xx or 5xx status, by model and status")
            .labelNames("model", "status")
            .register(registry);
    private final Histogram latency = Histogram.builder()
            .name("perceiver_request_duration_seconds")
            .help("Time from receiving a model request to its answer")
            .labelNames("model")
            .classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .register(registry);
    private final Histogram batchSize = Histogram.builder()
            .name("perceiver_batch_size")
            .help("Requests served by one forward pass or generation")
            .labelNames("model")
            .classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
    private final Counter tokens = Counter.builder()
            .name("perceiver_generated_tokens_total")
            .help("Tokens generated (rate() of it is tokens per second)")
            .labelNames("model")
            .register(registry);
    private final Gauge tokensPerSecond = Gauge.builder()
            .name("perceiver_last_batch_tokens_per_second")
            .help("Generated tokens per second of the last generation batch")
            .labelNames("model")
            .register(registry);
    private final Gauge queue = Gauge.builder()
            .name("perceiver_queue_length")
            .help("Requests waiting for a batch, by model")
            .labelNames("model")
            .register(registry);
    private final Gauge inFlight = Gauge.builder()
            .name("perceiver_requests_in_flight")
            .help("Model requests received and not yet answered")
            .register(registry);

    /** Counts an answered request; {@code seconds} is its latency. */
    public void request(String model, int status, double seconds) {
        String s = Integer.toString(status);
        requests.labelValues(model, s).inc();
        if (status >= 400) {
            errors.labelValues(model, s).inc();
        }
        latency.labelValues(model).observe(seconds);
    }

    /** Records one batch and, for generation, its tokens and duration. */
    public void batch(String model, int size, long generatedTokens, double seconds) {
        batchSize.labelValues(model).observe(size);
        if (generatedTokens > 0) {
            tokens.labelValues(model).inc(generatedTokens);
            if (seconds > 0) {
                tokensPerSecond.labelValues(model).set(generatedTokens / seconds);
            }
        }
    }

    /** Sets the number of waiting requests of a model. */
    public void queueLength(String model, int length) {
        queue.labelValues(model).set(length);
    }

    /** Adds {@code delta} to the requests in flight. */
    public void inFlight(int delta) {
        inFlight.inc(delta);
    }

    /** All metrics in the Prometheus text format (version 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
