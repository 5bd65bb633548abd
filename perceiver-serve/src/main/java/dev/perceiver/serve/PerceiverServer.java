package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.nn.EngineSetup;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server (Javalin on Jetty 12): loads every model once, then serves
 *
 * <ul>
 *   <li>{@code GET /health} {@code {"status":"ok"}} (503 {@code "draining"} during shutdown),
 *   <li>{@code GET /v1/models} {@code [{"id", "task", "model_type", "parameters", "engine"}]},
 *   <li>{@code POST /v1/models/{id}} a Hugging Face Inference API body, or a multipart upload for images,
 *       {@code "stream": true} for generation as {@code text/event-stream},
 *   <li>{@code GET /metrics} (Prometheus text), {@code GET /openapi.json}, and the playground at {@code GET /}.
 * </ul>
 *
 * Every refusal is JSON {@code {"error": ..., "field": ...}} with a 4xx or 5xx status. {@link #drainAndStop()} refuses
 * new requests, waits for those in flight, then stops.
 *
 * <p><b>Engines and threads.</b> Every model runs on {@link ServeOptions#engine()} (AUTO: ONNX Runtime where it loads,
 * as the command line; /v1/models names each model's engine). Each model has one batching worker, so its forward
 * passes (or generations) run one at a time, and a batch is the unit of parallel work. On libtorch a batch uses the
 * process's intra-op threads (generation: a serial worker with one thread, whose tiny steps lose more to thread
 * wake-ups than they gain). Each ONNX Runtime session gets the same budget, libtorch's intra-op thread count of the
 * process (the cores unless set): with one worker per model a session never runs two calls at once, so its pool is
 * never split, and a lone busy model runs as fast as the command line's (whose ONNX Runtime sessions also use the
 * cores, generation included: one session call per step, see the README's "Decoding speed"). Several models busy at
 * the same time share the cores as libtorch's workers do (each with the whole budget), rather than each being held
 * to a fraction of it while the others are idle. Closing the server closes every model's pipeline: its ONNX Runtime
 * session and its weights.
 */
public final class PerceiverServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PerceiverServer.class);

    private final ServeOptions options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final List<ExecutorService> threads = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Playground playground = new Playground();
    private EngineSetup.Applied engine;
    private Javalin app;
    private Server jetty;
    private volatile boolean draining;

    private PerceiverServer(ServeOptions options) {
        this.options = options;
    }

    /**
     * Loads the models and starts listening.
     *
     * @param folders model id -> model folder, in the order /v1/models lists them
     * @throws IOException when a folder cannot be loaded (nothing is left running)
     */
    public static PerceiverServer start(Map<String, Path> folders, ServeOptions options) throws IOException {
        if (folders.isEmpty()) {
            throw new IllegalArgumentException("--model: at least one model folder is required");
        }
        PerceiverServer server = new PerceiverServer(options);
        try {
            server.load(folders);
            server.listen();
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void load(Map<String, Path> folders) throws IOException {
        engine = EngineSetup.builder().serialWorkers(folders.size()).build().apply();
        int sessionThreads = engine.intraOpThreads() > 0
                ? engine.intraOpThreads()
                : Runtime.getRuntime().availableProcessors();
        ModelLoader.Workers workers = serial -> {
            if (serial && engine.serialWorkers() != null) {
                return engine.serialWorkers();
            }
            ExecutorService t = Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "perceiver-batcher");
                thread.setDaemon(true);
                return thread;
            });
            threads.add(t);
            return t;
        };
        for (Map.Entry<String, Path> e : folders.entrySet()) {
            LOG.info("loading model {} from {}", e.getKey(), e.getValue());
            ServedModel model = ModelLoader.load(e.getKey(), e.getValue(), options, sessionThreads, workers, metrics);
            models.put(e.getKey(), model);
            LOG.info("model {} runs on {}", e.getKey(), model.engine().label());
        }
    }

    private void listen() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = options.maxBodyBytes();
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.multipartConfig.maxFileSize(options.maxBodyBytes(), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(options.maxBodyBytes(), SizeUnit.BYTES);
            // Javalin nests its servlet inside this wrapper: on a graceful stop Jetty then waits until the answers of
            // requests already handled are written, instead of closing their connections with nothing sent
            config.jetty.modifyServer(server -> {
                server.setHandler(new GracefulHandler());
                jetty = server;
            });
            config.routes.get("/health", this::health);
            config.routes.get("/v1/models", ctx -> json(ctx, 200, modelList()));
            config.routes.post("/v1/models/{id}", this::infer);
            config.routes.get("/metrics", ctx -> {
                ctx.contentType(ServerMetrics.CONTENT_TYPE);
                ctx.result(metrics.scrape());
            });
            config.routes.get("/openapi.json", ctx -> {
                ctx.contentType("application/json");
                ctx.result(OpenApi.document(options));
            });
            config.routes.get("/", ctx -> playground.serve(ctx, "index.html"));
            config.routes.get("/playground/{file}", ctx -> playground.serve(ctx, ctx.pathParam("file")));
            config.routes.exception(
                    HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), null, e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("unexpected error on {}", ctx.path(), e);
                error(ctx, 500, null, "internal error: " + e);
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    error(ctx, 404, null, "no route " + ctx.method() + " " + ctx.path());
                }
            });
            config.routes.error(405, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    error(ctx, 405, null, "method " + ctx.method() + " not allowed on " + ctx.path());
                }
            });
        });
        app.start(options.host(), options.port());
        LOG.info("serving {} model(s) on http://{}:{}", models.size(), options.host(), app.port());
    }

    /** The port listened on (the chosen one when the options asked for 0). */
    public int port() {
        return app.port();
    }

    /** The number of inference requests received since the start (answered or not). */
    public long requestsReceived() {
        return received.get();
    }

    /** The loaded models' ids, in order. */
    public List<String> modelIds() {
        return new ArrayList<>(models.keySet());
    }

    private void health(Context ctx) {
        ObjectNode o = ResultJson.MAPPER.createObjectNode();
        o.put("status", draining ? "draining" : "ok");
        json(ctx, draining ? 503 : 200, o);
    }

    private ArrayNode modelList() {
        ArrayNode list = ResultJson.MAPPER.createArrayNode();
        models.values().forEach(m -> list.add(m.info()));
        return list;
    }

    private void infer(Context ctx) {
        long start = System.nanoTime();
        String id = ctx.pathParam("id");
        ServedModel model = models.get(id);
        String label = model == null ? "unknown" : id;
        int status;
        received.incrementAndGet();
        inFlight.incrementAndGet();
        metrics.inFlight(1);
        try {
            if (draining) {
                throw new ApiException(503, null, "the server is shutting down");
            }
            if (model == null) {
                throw new ApiException(
                        404, "id", "no model '" + id + "'; loaded: " + String.join(", ", models.keySet()));
            }
            InferenceRequest request = request(ctx);
            if (request.stream()) {
                if (!(model instanceof GenerationModel generation)) {
                    throw ApiException.invalid(
                            "stream", "stream is only for text generation; " + id + " is " + model.task());
                }
                status = new EventStream(ctx, generation).run(request);
            } else {
                JsonNode result = model.infer(request);
                status = json(ctx, 200, result);
            }
        } catch (ApiException e) {
            status = error(ctx, e.status(), e.field(), e.getMessage());
        } catch (IllegalArgumentException e) {
            status = error(ctx, 422, null, e.getMessage());
        } catch (Exception e) {
            LOG.error("request to {} failed", id, e);
            status = error(ctx, 500, null, "internal error: " + e);
        } finally {
            inFlight.decrementAndGet();
            metrics.inFlight(-1);
        }
        metrics.request(label, status, (System.nanoTime() - start) / 1e9);
    }

    /** The body as a request: JSON, or a multipart upload (files as base64 inputs, a "parameters" JSON field). */
    private InferenceRequest request(Context ctx) throws IOException {
        long length = ctx.req().getContentLengthLong();
        if (length > options.maxBodyBytes()) {
            throw ApiException.tooLarge(
                    "body", "body of " + length + " bytes; at most " + options.maxBodyBytes() + " (max_body_bytes)");
        }
        String type = ctx.contentType();
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            return multipart(ctx);
        }
        return InferenceRequest.parse(body(ctx));
    }

    private byte[] body(Context ctx) throws IOException {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBodyBytes() + 1));
            if (bytes.length > options.maxBodyBytes()) {
                throw ApiException.tooLarge(
                        "body", "body larger than " + options.maxBodyBytes() + " bytes (max_body_bytes)");
            }
            return bytes;
        }
    }

    private InferenceRequest multipart(Context ctx) throws IOException {
        Map<String, List<UploadedFile>> files;
        try {
            files = ctx.uploadedFileMap();
        } catch (RuntimeException e) {
            throw ApiException.badRequest("body", "unreadable multipart body: " + e.getMessage());
        }
        List<String> names = new ArrayList<>(files.keySet());
        if (names.isEmpty()) {
            throw ApiException.badRequest("inputs", "multipart body without a file; send the image as field 'inputs'");
        }
        JsonNode inputs;
        if (files.containsKey("frame1") || files.containsKey("frame2")) {
            ArrayNode frames = ResultJson.MAPPER.createArrayNode();
            for (String f : List.of("frame1", "frame2")) {
                if (!files.containsKey(f)) {
                    throw ApiException.badRequest(f, "multipart flow request without file field '" + f + "'");
                }
                frames.add(base64(files.get(f).get(0)));
            }
            inputs = frames;
        } else {
            List<UploadedFile> all = files.getOrDefault("inputs", files.get(names.get(0)));
            if (all.size() == 1) {
                inputs = base64(all.get(0));
            } else {
                ArrayNode many = ResultJson.MAPPER.createArrayNode();
                for (UploadedFile f : all) {
                    many.add(base64(f));
                }
                inputs = many;
            }
        }
        String params = ctx.formParam("parameters");
        ObjectNode parameters = ResultJson.MAPPER.createObjectNode();
        if (params != null && !params.isBlank()) {
            InferenceRequest parsed = InferenceRequest.parse(
                    ("{\"inputs\":0,\"parameters\":" + params + "}").getBytes(StandardCharsets.UTF_8));
            parameters = (ObjectNode) parsed.parametersNode();
        }
        return InferenceRequest.of(inputs, parameters);
    }

    private static TextNode base64(UploadedFile f) throws IOException {
        try (InputStream in = f.content()) {
            return TextNode.valueOf(Base64.getEncoder().encodeToString(in.readAllBytes()));
        }
    }

    /** Writes a JSON answer; returns the status. */
    static int json(Context ctx, int status, JsonNode body) {
        ctx.status(status);
        ctx.contentType("application/json");
        try {
            ctx.result(ResultJson.MAPPER.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return status;
    }

    /** Writes {@code {"error": message, "field": field}}; returns the status. */
    static int error(Context ctx, int status, String field, String message) {
        ObjectNode o = ResultJson.MAPPER.createObjectNode();
        o.put("error", message);
        if (field != null) {
            o.put("field", field);
        }
        return json(ctx, status, o);
    }

    /**
     * Refuses new requests (503), waits up to {@code drain_ms} for those in flight, then stops listening and frees
     * the models. Idempotent; returns once stopped.
     */
    public void drainAndStop() {
        synchronized (this) {
            if (draining) {
                stopped.join();
                return;
            }
            draining = true;
        }
        long deadline = System.nanoTime() + options.drainMs() * 1_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.info("stopping; {} request(s) still in flight", inFlight.get());
        // a handler that has returned may not have written its answer yet: let Jetty finish writing (graceful stop)
        long leftMs = Math.max(1000, (deadline - System.nanoTime()) / 1_000_000L);
        if (jetty != null) {
            jetty.setStopTimeout(leftMs);
        }
        close();
    }

    /** Blocks until the server has stopped. */
    public void awaitStopped() {
        stopped.join();
    }

    /** Stops at once: no draining. */
    @Override
    public void close() {
        draining = true;
        try {
            if (app != null) {
                app.stop();
            }
            for (ServedModel m : models.values()) {
                try {
                    m.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed", m.id(), e);
                }
            }
            threads.forEach(ExecutorService::shutdown);
            if (engine != null) {
                engine.close();
            }
        } finally {
            stopped.complete(null);
        }
    }

    /** Writes a streamed generation as server-sent events. */
    private final class EventStream {
        private final Context ctx;
        private final GenerationModel model;

        EventStream(Context ctx, GenerationModel model) {
            this.ctx = ctx;
            this.model = model;
        }

        int run(InferenceRequest request) throws Exception {
            java.util.concurrent.LinkedBlockingQueue<ObjectNode> events =
                    new java.util.concurrent.LinkedBlockingQueue<>();
            GenerationModel.Streamed streamed = model.stream(request, events::add);
            ctx.status(200);
            ctx.res().setContentType("text/event-stream;charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-cache");
            OutputStream out = ctx.res().getOutputStream();
            long deadline = System.nanoTime() + options.timeoutMs() * 1_000_000L;
            while (!streamed.result().isDone() || !events.isEmpty()) {
                ObjectNode e = events.poll(20, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (e != null) {
                    write(out, "token", e);
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
            try {
                write(out, "result", model.finish(streamed));
            } catch (ApiException e) {
                ObjectNode err = ResultJson.MAPPER.createObjectNode();
                err.put("error", e.getMessage());
                err.put("status", e.status());
                write(out, "error", err);
                return e.status();
            }
            return 200;
        }

        private void write(OutputStream out, String event, ObjectNode data) throws IOException {
            out.write(
                    ("event: " + event + "\ndata: " + ResultJson.line(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
