package dev.perceiver.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import dev.perceiver.nn.Tensors;
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
    /** The safetensors dtypes that have an engine data type, in the order messages list them. */
    private static final List<String> DTYPES = List.of("F32", "F64", "F16", "BF16", "I64", "I32", "I8", "U8", "BOOL");

    /** The floating-point safetensors dtypes. */
    private static final List<String> FLOAT_DTYPES = List.of("F32", "F64", "F16", "BF16");

    /** Bytes read at a time to check a tensor's values (a multiple of every element size). */
    static final int CHECK_CHUNK = 1 << 20;

    private StateDicts() {}

    /** The module's tensors under {@code prefix + key}, float32 as stored. */
    public static Map<String, TensorData> toTensors(Module module, String prefix) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        module.stateDict().forEach((k, p) -> out.put(prefix + k, toTensorData(p.array())));
        return out;
    }

    /** Converts an array to safetensors data: one copy of its bytes on the Java heap. */
    public static TensorData toTensorData(NDArray array) {
        // toByteBuffer() copies the tensor into a new heap array, which the TensorData keeps
        return new TensorData(dtypeName(array.getDataType()), array.getShape().getShape(), array.toByteBuffer());
    }

    /**
     * Creates an array in {@code manager} from safetensors data. The array owns its memory (a libtorch copy, see
     * {@link Tensors}), so views of it stay valid whatever happens to the buffer it was read from.
     */
    public static NDArray toArray(NDManager manager, TensorData t) {
        return Tensors.owned(manager, t.data(), new Shape(t.shape()), dataType(t.dtype()));
    }

    /** Saves the module's state dict atomically, keys prefixed with {@code prefix}. */
    public static void save(Module module, Path path, String prefix, Map<String, String> metadata) throws IOException {
        SafetensorsFile.write(path, toTensors(module, prefix), metadata);
    }

    /**
     * Loads a safetensors file strictly into the module (keys without prefix). Each tensor is read from the file
     * straight into its parameter's engine memory ({@link SafetensorsFile#open}), so loading holds the weights once.
     */
    public static void load(Module module, Path path) throws IOException {
        try (SafetensorsFile.Reader file = SafetensorsFile.open(path)) {
            load(module, file.tensors(), "", path.toString());
        }
    }

    /**
     * Loads tensors strictly: every state-dict key of the module must be present as {@code prefix + key} with the
     * expected shape and a dtype the engine reads (only a derived buffer, {@link Parameter#isDerived}, may be
     * absent: it keeps its computed value), and no other key with that prefix may exist. Errors name the
     * offending tensors; nothing is loaded unless all tensors pass. Each tensor is then copied once into its
     * parameter (converted to the parameter's data type), from wherever it lives: a Java buffer, a mapped file
     * ({@link SafetensorsFile#map}) or a file read on demand ({@link SafetensorsFile#open}; such a file is read twice,
     * once in bounded pieces to check the values, once into the parameters).
     *
     * @param source file name for messages
     * @throws IOException if a tensor's bytes cannot be read; parameters loaded before it keep their new values
     */
    public static void load(Module module, Map<String, ? extends TensorSource> tensors, String prefix, String source)
            throws IOException {
        Map<String, Parameter> state = module.stateDict();
        List<String> missing = new ArrayList<>();
        TreeSet<String> unexpected = new TreeSet<>();
        for (String k : tensors.keySet()) {
            if (k.startsWith(prefix) && !state.containsKey(k.substring(prefix.length()))) {
                unexpected.add(k);
            }
        }
        for (Map.Entry<String, Parameter> e : state.entrySet()) {
            TensorSource t = tensors.get(prefix + e.getKey());
            if (t == null) {
                if (!e.getValue().isDerived()) {
                    missing.add(prefix + e.getKey());
                }
                continue;
            }
            Shape expected = e.getValue().shape();
            if (!Arrays.equals(t.shape(), expected.getShape())) {
                throw new IllegalArgumentException(source + ": tensor '" + prefix + e.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but the model expects " + expected);
            }
            if (!DTYPES.contains(t.dtype())) {
                throw new IllegalArgumentException(source + ": tensor '" + prefix + e.getKey() + "' has dtype "
                        + t.dtype() + ", which cannot be loaded (supported: " + String.join(", ", DTYPES) + ")");
            }
            checkDtype(source, prefix + e.getKey(), t, e.getValue().array().getDataType());
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
        ByteBuffer scratch = ByteBuffer.allocate(CHECK_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, Parameter> e : state.entrySet()) {
            TensorSource t = tensors.get(prefix + e.getKey());
            if (t != null) {
                checkFinite(source, prefix + e.getKey(), t, scratch);
            }
        }
        for (Map.Entry<String, Parameter> e : state.entrySet()) {
            TensorSource t = tensors.get(prefix + e.getKey());
            if (t != null) {
                e.getValue().load(dataType(t.dtype()), dst -> t.read(0, dst));
            }
        }
    }

    /**
     * A stored dtype must be of the parameter's family: float data (F32, F64, F16, BF16) for a floating-point
     * parameter, integer or boolean data for the others; a cast between them would silently reinterpret values.
     */
    private static void checkDtype(String source, String name, TensorSource t, DataType expected) {
        boolean storedFloat = FLOAT_DTYPES.contains(t.dtype());
        if (storedFloat != expected.isFloating()) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has dtype " + t.dtype()
                    + " but the model's parameter is " + dtypeName(expected) + " (expected "
                    + (expected.isFloating() ? "one of " + String.join(", ", FLOAT_DTYPES) : "an integer dtype") + ")");
        }
    }

    /**
     * Refuses floating-point data holding NaN or infinity: such weights load, but every output is NaN (e.g. empty
     * generated text).
     */
    private static void checkFinite(String source, String name, TensorSource t, ByteBuffer scratch) throws IOException {
        long bad = firstNonFinite(t, scratch);
        if (bad >= 0) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' holds NaN or infinite values (first at"
                    + " flat index " + bad + "); refusing weights that make every output NaN");
        }
    }

    /** Flat index of the first NaN or infinite element of float data, or -1 (also for non-float dtypes). */
    static long firstNonFinite(TensorSource t) throws IOException {
        return firstNonFinite(t, ByteBuffer.allocate(CHECK_CHUNK).order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * {@link #firstNonFinite(TensorSource)} reading the data in pieces of at most {@code scratch}'s capacity (a
     * multiple of 8 bytes, little-endian), so that a file read on demand never needs a buffer of a tensor's size.
     */
    private static long firstNonFinite(TensorSource t, ByteBuffer scratch) throws IOException {
        if (!FLOAT_DTYPES.contains(t.dtype())) {
            return -1;
        }
        int size = TensorData.bytesPerElement(t.dtype());
        long total = t.byteSize();
        for (long offset = 0; offset < total; offset += scratch.capacity()) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), total - offset));
            t.read(offset, scratch);
            long bad = firstNonFinite(t.dtype(), scratch.flip());
            if (bad >= 0) {
                return offset / size + bad;
            }
        }
        return -1;
    }

    /** Index of the first NaN or infinite value of a float dtype among a buffer's bytes (position 0), or -1. */
    private static long firstNonFinite(String dtype, ByteBuffer b) {
        int n = b.limit() / TensorData.bytesPerElement(dtype);
        switch (dtype) {
            case "F32" -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getInt(4 * i) & 0x7f800000) == 0x7f800000) {
                        return i;
                    }
                }
            }
            case "F64" -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getLong(8 * i) & 0x7ff0000000000000L) == 0x7ff0000000000000L) {
                        return i;
                    }
                }
            }
            case "F16" -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getShort(2 * i) & 0x7c00) == 0x7c00) {
                        return i;
                    }
                }
            }
            case "BF16" -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getShort(2 * i) & 0x7f80) == 0x7f80) {
                        return i;
                    }
                }
            }
            default -> {
                return -1;
            }
        }
        return -1;
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
