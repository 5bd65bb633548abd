package dev.perceiver.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Saving and strictly loading a module's state dict (parameters and buffers under the reference's keys) as
 * safetensors, optionally under a key prefix such as {@code backend_model.}.
 */
public final class StateDicts {
    private StateDicts() {}

    /** The module's tensors under {@code prefix + key}, float32 as stored. */
    public static Map<String, TensorData> toTensors(Module module, String prefix) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        module.stateDict().forEach((k, p) -> out.put(prefix + k, toTensorData(p.array())));
        return out;
    }

    /** Converts an array to safetensors data (little-endian). */
    public static TensorData toTensorData(NDArray array) {
        ByteBuffer bytes = array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(bytes).flip();
        return new TensorData(dtypeName(array.getDataType()), array.getShape().getShape(), copy);
    }

    /**
     * Creates an array in {@code manager} from safetensors data. The array owns its memory (a libtorch copy), so
     * views of it stay valid whatever happens to the Java buffer it was read from.
     */
    public static NDArray toArray(NDManager manager, TensorData t) {
        ByteBuffer direct = ByteBuffer.allocateDirect(t.data().remaining()).order(ByteOrder.nativeOrder());
        direct.put(t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN)).flip();
        try (NDArray borrowed = manager.create(direct, new Shape(t.shape()), dataType(t.dtype()))) {
            return borrowed.duplicate();
        }
    }

    /** Saves the module's state dict atomically, keys prefixed with {@code prefix}. */
    public static void save(Module module, Path path, String prefix, Map<String, String> metadata) throws IOException {
        SafetensorsFile.write(path, toTensors(module, prefix), metadata);
    }

    /** Loads a safetensors file strictly into the module (keys without prefix). */
    public static void load(Module module, Path path) throws IOException {
        load(module, SafetensorsFile.read(path).tensors(), "", path.toString());
    }

    /**
     * Loads tensors strictly: every state-dict key of the module must be present as {@code prefix + key} with the
     * expected shape, and no other key with that prefix may exist. Errors name the offending tensors.
     *
     * @param source file name for messages
     */
    public static void load(Module module, Map<String, TensorData> tensors, String prefix, String source) {
        Map<String, Parameter> state = module.stateDict();
        List<String> missing = new ArrayList<>();
        TreeSet<String> unexpected = new TreeSet<>();
        for (String k : tensors.keySet()) {
            if (k.startsWith(prefix) && !state.containsKey(k.substring(prefix.length()))) {
                unexpected.add(k);
            }
        }
        for (Map.Entry<String, Parameter> e : state.entrySet()) {
            TensorData t = tensors.get(prefix + e.getKey());
            if (t == null) {
                missing.add(prefix + e.getKey());
                continue;
            }
            Shape expected = e.getValue().shape();
            if (!Arrays.equals(t.shape(), expected.getShape())) {
                throw new IllegalArgumentException(source + ": tensor '" + prefix + e.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but the model expects " + expected);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            StringBuilder sb = new StringBuilder(source).append(": state dict does not match the model");
            if (!missing.isEmpty()) {
                sb.append("; missing tensors: ").append(String.join(", ", missing));
            }
            if (!unexpected.isEmpty()) {
                sb.append("; unexpected tensors: ").append(String.join(", ", unexpected));
            }
            throw new IllegalArgumentException(sb.toString());
        }
        for (Map.Entry<String, Parameter> e : state.entrySet()) {
            TensorData t = tensors.get(prefix + e.getKey());
            NDManager m = e.getValue().array().getManager();
            try (NDManager tmp = m.newSubManager()) {
                e.getValue().load(toArray(tmp, t));
            }
        }
    }

    /** Safetensors dtype name of a DJL data type. */
    public static String dtypeName(DataType type) {
        return switch (type) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("unsupported data type " + type);
        };
    }

    /** DJL data type of a safetensors dtype name. */
    public static DataType dataType(String dtype) {
        return switch (dtype) {
            case "F32" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new IllegalArgumentException("unsupported safetensors dtype " + dtype);
        };
    }
}
