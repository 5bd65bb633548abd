package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One loaded model behind {@code POST /v1/models/{id}}: reads a request's inputs and parameters, queues the work in
 * its {@link Batcher} and answers with the task's result JSON (the fields of the command line's {@code --json}).
 */
abstract class ServedModel implements AutoCloseable {
    private final String id;
    private final String task;
    private final String modelType;
    private final long parameters;
    protected final ServeOptions options;

    ServedModel(String id, String task, String modelType, long parameters, ServeOptions options) {
        this.id = id;
        this.task = task;
        this.modelType = modelType;
        this.parameters = parameters;
        this.options = options;
    }

    String id() {
        return id;
    }

    String task() {
        return task;
    }

    /** The engine the model runs on (never AUTO): of its forward passes, or of its cached decoding steps. */
    abstract Engine engine();

    /** {@code {"id", "task", "model_type", "parameters", "engine"}}; engine {@code libtorch} or {@code onnxruntime}. */
    ObjectNode info() {
        ObjectNode o = ResultJson.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("task", task);
        o.put("model_type", modelType);
        o.put("parameters", parameters);
        o.put("engine", engine().label());
        return o;
    }

    /**
     * The result of one request.
     *
     * @throws ApiException for bad input, a full queue or a timeout
     */
    abstract JsonNode infer(InferenceRequest request) throws Exception;

    /**
     * The result of a queued job, waiting at most the request timeout. A job's {@link IllegalArgumentException} (an
     * input the model cannot take, e.g. a prompt longer than max_seq_len) becomes a 422.
     */
    <R> R await(CompletableFuture<R> result) throws Exception {
        try {
            return result.get(options.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | CancellationException e) {
            result.cancel(false);
            throw new ApiException(
                    503,
                    null,
                    "no answer within " + options.timeoutMs() + " ms (timeout_ms); model " + id + " is busy");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ApiException api) {
                throw api;
            }
            if (cause instanceof IllegalArgumentException bad) {
                throw ApiException.invalid("inputs", bad.getMessage());
            }
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
