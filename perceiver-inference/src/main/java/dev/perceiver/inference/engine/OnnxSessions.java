package dev.perceiver.inference.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.perceiver.inference.onnx.OnnxExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Brings a model up on ONNX Runtime in two stages, whose failures are told apart ({@link Unavailable#stage}): the
 * export into a temporary ONNX file (a scratch file: exporters write it with {@link OnnxExport.Durability#SCRATCH},
 * no fsync or rename), then a session on that file (CPU, all graph optimisations); the file is deleted either way.
 * Between the two a caller may free the model's libtorch weights (the weights are then held once while ONNX Runtime
 * loads its copy).
 */
final class OnnxSessions {
    private OnnxSessions() {}

    /**
     * How a model is brought up: the largest export file, in [1, {@link OnnxExport#MAX_BYTES}], and extra ONNX
     * Runtime session config entries (e.g. {@code session.load_model_format}).
     */
    record Settings(long maxExportBytes, Map<String, String> sessionConfig) {
        static final Settings DEFAULT = new Settings(OnnxExport.MAX_BYTES, Map.of());

        Settings {
            sessionConfig = Map.copyOf(sessionConfig);
        }
    }

    /** Where bringing a model up on ONNX Runtime failed. */
    enum Stage {
        /** Writing the ONNX graph (an unsupported model or op, a graph over the file size limit, a failed write). */
        EXPORT,
        /** ONNX Runtime loading the exported graph into a session. */
        SESSION
    }

    /** Writes a model's ONNX graph to a file (an existing, empty temporary file, deleted after the session is made). */
    @FunctionalInterface
    interface Exporter {
        void write(Path file) throws IOException;
    }

    /** ONNX Runtime cannot run the model: the message (one line) names the stage and the cause. */
    static final class Unavailable extends IOException {
        private final Stage stage;

        Unavailable(Stage stage, Throwable cause) {
            super(
                    (stage == Stage.EXPORT
                                    ? "exporting the model for ONNX Runtime failed: "
                                    : "ONNX Runtime could not load the exported model: ")
                            + firstLine(cause),
                    cause);
            this.stage = stage;
        }

        Stage stage() {
            return stage;
        }
    }

    /**
     * Exports with {@code exporter} into a temporary file, runs {@code afterExport} and opens a session on it.
     *
     * @param afterExport run once the export succeeded, before the session is made (e.g. freeing the libtorch weights)
     * @param threads intra-op threads, in [1, 1024] (checked by the caller)
     * @throws Unavailable when the export or the session fails
     */
    static OrtSession open(Exporter exporter, Runnable afterExport, int threads, Settings settings) throws Unavailable {
        Path file;
        try {
            file = Files.createTempFile("perceiver-", ".onnx");
        } catch (IOException e) {
            throw new Unavailable(Stage.EXPORT, e);
        }
        try {
            try {
                exporter.write(file);
            } catch (IOException | RuntimeException e) {
                throw new Unavailable(Stage.EXPORT, e);
            }
            afterExport.run();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                // each initializer in its own allocation rather than one planned block, so that the weights a kernel
                // prepacks (the MatMul weights: most of them) are freed once packed instead of held twice (1 GB less
                // peak RSS for generate on a perceiver-ar-clm-base-shaped model, README, Pretrained models)
                o.addConfigEntry("session.use_device_allocator_for_initializers", "1");
                for (Map.Entry<String, String> e : settings.sessionConfig().entrySet()) {
                    o.addConfigEntry(e.getKey(), e.getValue());
                }
                return OrtEnvironment.getEnvironment().createSession(file.toString(), o);
            } catch (OrtException | RuntimeException e) {
                throw new Unavailable(Stage.SESSION, e);
            }
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left behind is not worth failing the run for; the OS cleans its temp folder
            }
        }
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m.strip() : m.substring(0, nl).strip();
    }
}
