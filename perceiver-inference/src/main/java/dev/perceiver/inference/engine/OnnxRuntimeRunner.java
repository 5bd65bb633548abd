package dev.perceiver.inference.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Tensors;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's forward pass on ONNX Runtime (CPU, MLAS kernels): the model is exported to a temporary ONNX file
 * ({@link OnnxExport}), loaded into a session with all graph optimisations, and the file deleted
 * ({@link OnnxSessions}); {@link OnnxRuntimeSession}, its base, closes the session.
 */
final class OnnxRuntimeRunner extends OnnxRuntimeSession implements ModelRunner {
    private final Engine engine;
    private final boolean hasPadMask;

    private OnnxRuntimeRunner(Engine engine, OrtSession session) {
        super(session);
        this.engine = engine;
        this.hasPadMask = session.getInputNames().contains("pad_mask");
    }

    /** ONNXRUNTIME, or ONNXRUNTIME_INT8 for a graph with int8 weights. */
    @Override
    public Engine engine() {
        return engine;
    }

    /** Whether ONNX Runtime's native library loads on this machine. */
    static boolean available() {
        try {
            OrtEnvironment.getEnvironment();
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Exports {@code model}, runs {@code afterExport} and opens a session on the export with {@code threads}
     * intra-op threads.
     *
     * @throws OnnxSessions.Unavailable when the export or the session fails
     */
    static OnnxRuntimeRunner open(Module model, int threads, Runnable afterExport, OnnxSessions.Settings settings)
            throws OnnxSessions.Unavailable {
        return open(model, threads, afterExport, settings, false);
    }

    /**
     * As {@link #open(Module, int, Runnable, OnnxSessions.Settings)}; with {@code int8} the large linear layers run
     * on int8 weights ({@link OnnxExport#export(Module, Path, boolean, boolean, long)}).
     */
    static OnnxRuntimeRunner open(
            Module model, int threads, Runnable afterExport, OnnxSessions.Settings settings, boolean int8)
            throws OnnxSessions.Unavailable {
        OrtSession session = OnnxSessions.open(
                file -> OnnxExport.export(
                        model, file, true, int8, settings.maxExportBytes(), OnnxExport.Durability.SCRATCH),
                afterExport,
                threads,
                settings);
        return new OnnxRuntimeRunner(int8 ? Engine.ONNXRUNTIME_INT8 : Engine.ONNXRUNTIME, session);
    }

    @Override
    public NDArray forward(NDArray x, NDArray padMask) {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            boolean ids = x.getDataType().isInteger();
            inputs.put("x", tensor(ids ? x.toType(DataType.INT64, false) : x.toType(DataType.FLOAT32, false)));
            if (hasPadMask) {
                NDArray mask = padMask == null
                        ? x.getManager().zeros(x.getShape(), DataType.BOOLEAN)
                        : padMask.toType(DataType.BOOLEAN, false);
                inputs.put("pad_mask", tensor(mask));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor out = (OnnxTensor) result.get(0);
                ByteBuffer bytes = out.getByteBuffer();
                return Tensors.owned(
                        x.getManager(), bytes, new Shape(out.getInfo().getShape()), DataType.FLOAT32);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Runs a graph that takes token ids {@code x} (b, n), {@code pad_mask} (b, n) (all false when null) and the int64
     * scalar {@code prefix_len} (a Perceiver AR graph); returns every graph output in the graph's order, owned by x's
     * manager.
     */
    List<NDArray> forwardCausal(NDArray x, NDArray padMask, long prefixLen) {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("x", tensor(x.toType(DataType.INT64, false)));
            NDArray mask = padMask == null
                    ? x.getManager().zeros(x.getShape(), DataType.BOOLEAN)
                    : padMask.toType(DataType.BOOLEAN, false);
            inputs.put("pad_mask", tensor(mask));
            inputs.put("prefix_len", OnnxTensor.createTensor(env, prefixLen));
            try (OrtSession.Result result = session.run(inputs)) {
                List<NDArray> out = new ArrayList<>();
                for (int i = 0; i < result.size(); i++) {
                    OnnxTensor t = (OnnxTensor) result.get(i);
                    out.add(Tensors.owned(
                            x.getManager(),
                            t.getByteBuffer(),
                            new Shape(t.getInfo().getShape()),
                            DataType.FLOAT32));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor tensor(NDArray a) throws OrtException {
        OnnxJavaType type = switch (a.getDataType()) {
            case FLOAT32 -> OnnxJavaType.FLOAT;
            case INT64 -> OnnxJavaType.INT64;
            case BOOLEAN -> OnnxJavaType.BOOL;
            default -> throw new IllegalArgumentException("input data type " + a.getDataType() + " not supported");
        };
        // a direct view of the array's memory, which ONNX Runtime reads in place (no copy); the array stays open
        // until the run returns
        ByteBuffer data = a.toByteBuffer(true);
        return OnnxTensor.createTensor(env, data, a.getShape().getShape(), type);
    }
}
