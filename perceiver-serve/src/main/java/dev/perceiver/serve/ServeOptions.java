package dev.perceiver.serve;

import dev.perceiver.inference.engine.Engine;
import java.util.Objects;

/**
 * Limits and batching of the server; every field has a safe default ({@link #defaults()}).
 *
 * @param host address to bind, e.g. 127.0.0.1
 * @param port TCP port; 0 picks a free one
 * @param maxBatchSize most requests one forward pass or generation serves together, >= 1
 * @param maxWaitMs how long the first request of a batch waits for others, >= 0
 * @param maxBodyBytes largest request body, >= 1024
 * @param maxTextChars longest text (prompt, text to classify, text with masks), >= 1
 * @param maxImagePixels largest image (width x height) accepted, >= 1
 * @param maxNewTokens largest {@code max_new_tokens} of a generation, >= 1
 * @param maxQueue requests waiting per model beyond which new ones are refused with 429, >= 1
 * @param timeoutMs time a request may wait and run before it is answered with 503, >= 1
 * @param drainMs how long a shutdown waits for requests in flight, >= 0
 * @param engine engine of every served model's forward passes or cached decoding steps: LIBTORCH, ONNXRUNTIME or
 *     AUTO (ONNX Runtime where the model can run there and ONNX Runtime loads, else libtorch; as the command line's
 *     {@code --engine})
 */
public record ServeOptions(
        String host,
        int port,
        int maxBatchSize,
        int maxWaitMs,
        long maxBodyBytes,
        int maxTextChars,
        long maxImagePixels,
        int maxNewTokens,
        int maxQueue,
        long timeoutMs,
        long drainMs,
        Engine engine) {

    /** Checks every field. */
    public ServeOptions {
        check("port", port, 0, 65535);
        check("max_batch_size", maxBatchSize, 1, 1024);
        check("max_wait_ms", maxWaitMs, 0, 60_000);
        check("max_body_bytes", maxBodyBytes, 1024, 1L << 31);
        check("max_text_chars", maxTextChars, 1, 10_000_000);
        check("max_image_pixels", maxImagePixels, 1, 1L << 30);
        check("max_new_tokens", maxNewTokens, 1, 1_000_000);
        check("max_queue", maxQueue, 1, 1_000_000);
        check("timeout_ms", timeoutMs, 1, 86_400_000);
        check("drain_ms", drainMs, 0, 86_400_000);
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        Objects.requireNonNull(engine, "engine");
    }

    /**
     * 127.0.0.1:8080, batches of up to 8 requests gathered for at most 5 ms, bodies up to 10 MB, texts up to 10,000
     * characters, images up to 16 megapixels, at most 1024 new tokens, 64 waiting requests per model, 60 s per
     * request, 30 s to drain, engine AUTO.
     */
    public static ServeOptions defaults() {
        return new ServeOptions(
                "127.0.0.1", 8080, 8, 5, 10L << 20, 10_000, 16L << 20, 1024, 64, 60_000, 30_000, Engine.AUTO);
    }

    /** These options with another engine. */
    public ServeOptions withEngine(Engine value) {
        return new ServeOptions(
                host,
                port,
                maxBatchSize,
                maxWaitMs,
                maxBodyBytes,
                maxTextChars,
                maxImagePixels,
                maxNewTokens,
                maxQueue,
                timeoutMs,
                drainMs,
                value);
    }

    /** These options on another port. */
    public ServeOptions withPort(int value) {
        return with(value, maxBatchSize, maxWaitMs, maxQueue, timeoutMs);
    }

    /** These options with another batch size and wait. */
    public ServeOptions withBatching(int size, int waitMs) {
        return with(port, size, waitMs, maxQueue, timeoutMs);
    }

    /** These options with another queue bound and timeout. */
    public ServeOptions withQueue(int queue, long timeout) {
        return with(port, maxBatchSize, maxWaitMs, queue, timeout);
    }

    /** These options with the fields the with-methods set replaced (checked as any other). */
    private ServeOptions with(int newPort, int batchSize, int waitMs, int queue, long timeout) {
        return new ServeOptions(
                host,
                newPort,
                batchSize,
                waitMs,
                maxBodyBytes,
                maxTextChars,
                maxImagePixels,
                maxNewTokens,
                queue,
                timeout,
                drainMs,
                engine);
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in [" + min + ", " + max + "]");
        }
    }
}
