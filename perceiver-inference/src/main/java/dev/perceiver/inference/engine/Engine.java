package dev.perceiver.inference.engine;

import java.util.Locale;

/** Which engine runs a model's inference forward pass. */
public enum Engine {
    /** DJL on libtorch, the engine the models are built on. */
    LIBTORCH,
    /** ONNX Runtime on a graph exported from the model ({@link dev.perceiver.inference.onnx.OnnxExport}). */
    ONNXRUNTIME,
    /** ONNX Runtime where the model can be exported, else libtorch (the faster one on CPUs, see README). */
    AUTO,
    /**
     * ONNX Runtime with the large linear layers' weights quantized to int8 per output channel and their inputs
     * quantized per call ({@code com.microsoft:DynamicQuantizeMatMul}): about 2x faster on CPUs with int8 dot-product
     * instructions (AVX512-VNNI, AVX-VNNI), at an accuracy cost stated in the README. Never chosen by AUTO; the
     * forward pass of classifiers, masked LMs and optical flow only (not generation).
     */
    ONNXRUNTIME_INT8;

    /** The engine named {@code libtorch}, {@code onnxruntime}, {@code onnxruntime-int8} or {@code auto} (any case). */
    public static Engine parse(String name) {
        for (Engine e : values()) {
            if (e.label().equalsIgnoreCase(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "--engine (" + name + ") must be libtorch, onnxruntime, onnxruntime-int8 or auto");
    }

    /** The lower-case name ({@code onnxruntime-int8} for ONNXRUNTIME_INT8). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether this engine asks for ONNX Runtime itself (ONNXRUNTIME or ONNXRUNTIME_INT8), not AUTO's choice. */
    public boolean forcesOnnxRuntime() {
        return this == ONNXRUNTIME || this == ONNXRUNTIME_INT8;
    }
}
