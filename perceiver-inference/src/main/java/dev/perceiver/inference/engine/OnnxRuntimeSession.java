package dev.perceiver.inference.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * An ONNX Runtime session on a graph this project exports, owned by the object that runs it: the base of
 * {@link OnnxRuntimeRunner} (forward passes) and {@link OnnxRuntimeDecoder} (cached generation), the classes that use
 * ONNX Runtime's API besides {@link OnnxSessions}, which exports the graph and opens the session; {@link #close}
 * releases the session (never the model's weights).
 */
abstract class OnnxRuntimeSession implements AutoCloseable {
    final OrtEnvironment env;
    final OrtSession session;

    OnnxRuntimeSession(OrtSession session) {
        this.env = OrtEnvironment.getEnvironment();
        this.session = session;
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
