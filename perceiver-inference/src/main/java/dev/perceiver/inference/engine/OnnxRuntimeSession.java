package dev.perceiver.inference.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An ONNX Runtime session on a graph this project exports, owned by the object that runs it: the base of
 * {@link OnnxRuntimeRunner} (forward passes) and {@link OnnxRuntimeDecoder} (cached generation), the classes that use
 * ONNX Runtime's API. {@link #load} writes the graph to a temporary file, loads it with every graph optimisation and
 * deletes the file; {@link #close} releases the session (never the model's weights).
 */
abstract class OnnxRuntimeSession implements AutoCloseable {
    /** Writes a graph to {@code file}. */
    interface Export {
        void write(Path file) throws IOException;
    }

    final OrtEnvironment env;
    final OrtSession session;

    OnnxRuntimeSession(OrtSession session) {
        this.env = OrtEnvironment.getEnvironment();
        this.session = session;
    }

    /**
     * Exports a graph with {@code export} to a temporary file and loads it with {@code threads} intra-op threads, one
     * inter-op thread, all graph optimisations and the session config entries {@code config}; the file is deleted.
     *
     * @throws IOException if the graph cannot be written or ONNX Runtime cannot load it
     */
    static OrtSession load(Export export, int threads, Map<String, String> config) throws IOException {
        Path file = Files.createTempFile("perceiver-", ".onnx");
        try {
            export.write(file);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                for (Map.Entry<String, String> e : config.entrySet()) {
                    o.addConfigEntry(e.getKey(), e.getValue());
                }
                return env.createSession(file.toString(), o);
            } catch (OrtException e) {
                throw new IOException("ONNX Runtime could not load the exported model: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The engine that runs the session: always ONNXRUNTIME. */
    public Engine engine() {
        return Engine.ONNXRUNTIME;
    }

    /** Releases the session (not the model's weights). */
    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }
}
