package dev.perceiver.inference.engine;

import java.util.Locale;

/** Which engine runs a model's inference forward pass. */
public enum Engine {
    /** DJL on libtorch, the engine the models are built on. */
    LIBTORCH,
    /** ONNX Runtime on a graph exported from the model ({@link dev.perceiver.inference.onnx.OnnxExport}). */
    ONNXRUNTIME,
    /** ONNX Runtime where the model can be exported, else libtorch (the faster one on CPUs, see README). */
    AUTO;

    /** The engine named {@code libtorch}, {@code onnxruntime} or {@code auto} (any case). */
    public static Engine parse(String name) {
        for (Engine e : values()) {
            if (e.name().equalsIgnoreCase(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("--engine (" + name + ") must be libtorch, onnxruntime or auto");
    }

    /** The lower-case name. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
