package dev.perceiver.cli;

import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.hub.ModelResolver;
import dev.perceiver.serve.PerceiverServer;
import dev.perceiver.serve.ServeOptions;
import dev.perceiver.serve.ShutdownSignals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code perceiver serve}: serves model folders over HTTP ({@link PerceiverServer}). */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Serve model folders over HTTP: GET /health, GET /v1/models, POST /v1/models/{id} (Hugging Face "
                    + "Inference API bodies), GET /metrics, GET /openapi.json and a playground at GET /.",
            "%nRequests to one model are batched (--max-batch-size, --max-wait-ms). SIGTERM or Ctrl-C stops taking "
                    + "requests, finishes those in flight and exits with 0.%n"
        })
public final class ServeCommand implements Callable<Integer> {
    private static final ServeOptions D = ServeOptions.defaults();

    @Option(
            names = "--model",
            required = true,
            paramLabel = "[NAME=]DIR|ID",
            description = "A model folder or Hugging Face Hub id, optionally named (default name: the folder's or "
                    + "the id's name); repeat for several models.")
    List<String> models;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host = D.host();

    @Option(names = "--port", paramLabel = "N", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = D.port();

    @Option(
            names = "--max-batch-size",
            paramLabel = "N",
            description = "Most requests one model runs together (default: ${DEFAULT-VALUE}).")
    int maxBatchSize = D.maxBatchSize();

    @Option(
            names = "--max-wait-ms",
            paramLabel = "MS",
            description = "How long a request waits for others to batch with (default: ${DEFAULT-VALUE}).")
    int maxWaitMs = D.maxWaitMs();

    @Option(
            names = "--max-body-bytes",
            paramLabel = "N",
            description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes = D.maxBodyBytes();

    @Option(
            names = "--max-text-chars",
            paramLabel = "N",
            description = "Longest input text; longer ones get 413 (default: ${DEFAULT-VALUE}).")
    int maxTextChars = D.maxTextChars();

    @Option(
            names = "--max-image-pixels",
            paramLabel = "N",
            description = "Largest image, width x height; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxImagePixels = D.maxImagePixels();

    @Option(
            names = "--max-new-tokens",
            paramLabel = "N",
            description = "Largest max_new_tokens a request may ask for; more gets 422 (default: ${DEFAULT-VALUE}).")
    int maxNewTokens = D.maxNewTokens();

    @Option(
            names = "--max-queue",
            paramLabel = "N",
            description = "Requests that may wait per model; more get 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue = D.maxQueue();

    @Option(
            names = "--timeout-ms",
            paramLabel = "MS",
            description = "Time a request may wait and run; then 503 (default: ${DEFAULT-VALUE}).")
    long timeoutMs = D.timeoutMs();

    @Option(
            names = "--drain-ms",
            paramLabel = "MS",
            description = "How long a shutdown waits for requests in flight (default: ${DEFAULT-VALUE}).")
    long drainMs = D.drainMs();

    @Option(
            names = "--engine",
            paramLabel = "libtorch|onnxruntime|onnxruntime-int8|auto",
            description = "Engine of every model's forward passes and cached decoding steps (default: ${DEFAULT-VALUE}:"
                    + " ONNX Runtime on a graph exported from the model where it loads, else libtorch; GET /v1/models"
                    + " names each model's engine).")
    String engine = D.engine().label();

    @Override
    public Integer call() throws Exception {
        ServeOptions options = new ServeOptions(
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
                Engine.parse(engine));
        Map<String, Path> folders = folders(models, ModelResolver.fromEnvironment());
        PerceiverServer server = PerceiverServer.start(folders, options);
        ShutdownSignals.drainOnSignal(server);
        System.out.println(
                "serving " + String.join(", ", folders.keySet()) + " on http://" + host + ":" + server.port() + "/");
        System.out.flush();
        server.awaitStopped();
        return 0;
    }

    /** {@code [NAME=]DIR|ID} values -> model id -> folder; a name is given or the folder's (the Hub id's) name. */
    static Map<String, Path> folders(List<String> values, ModelResolver resolver) throws java.io.IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String value : values) {
            int eq = value.indexOf('=');
            String source = eq > 0 ? value.substring(eq + 1) : value;
            String name = eq > 0 ? value.substring(0, eq) : defaultName(source);
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException(
                        "--model " + value + ": name '" + name + "' may hold only letters, digits, '.', '_' and '-'");
            }
            Path dir = resolver.resolve(source);
            if (out.put(name, dir) != null) {
                throw new IllegalArgumentException(
                        "--model " + value + ": a model named '" + name + "' is already given; name it NAME=" + source);
            }
        }
        return out;
    }

    private static String defaultName(String source) {
        Path local = Path.of(source);
        if (Files.isDirectory(local)) {
            Path n = local.toAbsolutePath().normalize().getFileName();
            return n == null ? "model" : n.toString();
        }
        String id = source.contains("@") ? source.substring(0, source.indexOf('@')) : source;
        return id.substring(id.lastIndexOf('/') + 1);
    }
}
