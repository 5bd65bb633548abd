package dev.perceiver.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.CodedOutputStream;
import dev.perceiver.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * An ONNX graph under construction (opset 17, IR version 8): inputs and outputs with symbolic or fixed dimensions,
 * initializers taken from engine arrays (written as little-endian raw data when the model is saved), and nodes. Node
 * and value names are generated. {@link #save} writes the ModelProto, atomically or as a scratch file.
 */
final class OnnxGraph {
    static final int OPSET = 17;
    private static final String MICROSOFT_DOMAIN = "com.microsoft";
    private static final long IR_VERSION = 8;
    /** protobuf messages cannot exceed 2 GiB. */
    static final long MAX_BYTES = Integer.MAX_VALUE;

    /** Values from which an initializer is compared by content with the earlier ones (see {@link #constant}). */
    static final long DEDUPLICATED_SIZE = 1024;

    static final int FLOAT = 1;
    static final int INT64 = 7;
    static final int INT8 = 3;
    static final int BOOL = 9;

    /** The nodes of the graph being written: the main graph's, or a loop body's while {@link #loop} builds it. */
    private List<ProtoMessage> nodes = new ArrayList<>();

    private boolean usesMicrosoftDomain;
    private final List<ProtoMessage> initializers = new ArrayList<>();
    private final List<ProtoMessage> inputs = new ArrayList<>();
    private final List<ProtoMessage> outputs = new ArrayList<>();
    /** The inputs' and outputs' ValueInfoProtos by name, for {@link #document}. */
    private final Map<String, ProtoMessage> valueInfos = new HashMap<>();

    private final Map<NDArray, String> initializerNames = new IdentityHashMap<>();
    /** Initializers of {@link #DEDUPLICATED_SIZE} or more values by type, shape and sum of values. */
    private final Map<ContentKey, Map<NDArray, String>> byContent = new HashMap<>();

    private int counter;

    /** A graph input of element type {@code elemType} and dims (Long = fixed, String = symbolic). */
    String input(String name, int elemType, Object... dims) {
        ProtoMessage info = valueInfo(name, elemType, dims);
        inputs.add(info);
        valueInfos.put(name, info);
        return name;
    }

    /** Sets the doc string of graph input or output {@code name} (what tools such as Netron show). */
    void document(String name, String doc) {
        ProtoMessage info = valueInfos.get(name);
        if (info == null) {
            throw new IllegalArgumentException("no graph input or output named " + name);
        }
        info.string(3, doc);
    }

    /**
     * Marks {@code value} as graph output {@code name}: through an Identity node (a copy in ONNX Runtime), or, where
     * {@code value} already is {@code name} (a {@link #namedOp}'s result), as it is.
     */
    void output(String value, String name, int elemType, Object... dims) {
        if (!value.equals(name)) {
            nodes.add(node("Identity", List.of(value), List.of(name), List.of()));
        }
        ProtoMessage info = valueInfo(name, elemType, dims);
        outputs.add(info);
        valueInfos.put(name, info);
    }

    /**
     * The initializer holding {@code array} (float32 or int64), added once per array and once per content: an array
     * of {@link #DEDUPLICATED_SIZE} or more values equal to an earlier one (same type, shape and values) reuses its
     * initializer, so that weights used more than once (self-attention blocks 2..L share theirs) are stored once.
     */
    String constant(NDArray array) {
        String existing = initializerNames.get(array);
        if (existing != null) {
            return existing;
        }
        ContentKey key = null;
        if (array.size() >= DEDUPLICATED_SIZE) {
            key = new ContentKey(
                    array.getDataType(),
                    array.getShape(),
                    array.sum().toType(DataType.FLOAT64, false).getDouble());
            for (Map.Entry<NDArray, String> e :
                    byContent.getOrDefault(key, Map.of()).entrySet()) {
                if (e.getKey().contentEquals(array)) {
                    initializerNames.put(array, e.getValue());
                    return e.getValue();
                }
            }
        }
        String name = "c" + counter++;
        initializerNames.put(array, name);
        if (key != null) {
            byContent.computeIfAbsent(key, k -> new IdentityHashMap<>()).put(array, name);
        }
        initializers.add(initializer(name, array.getShape(), array.getDataType(), () -> array));
        return name;
    }

    /**
     * A float32 initializer of {@code shape} whose values are computed only when the graph is written: {@code
     * compute} runs inside {@link #save}, in an NDScope that is closed (freeing the result and its temporaries) as
     * soon as its bytes are written, so that arrays derived from weights (transposed, fused) are never all held at
     * once. Not compared by content: a caller that uses the same derived array again keeps the returned name.
     */
    String deferred(Shape shape, Supplier<NDArray> compute) {
        return deferred(shape, DataType.FLOAT32, compute);
    }

    /** As {@link #deferred(Shape, Supplier)} for an initializer of type float32, int64 or int8. */
    String deferred(Shape shape, DataType type, Supplier<NDArray> compute) {
        String name = "c" + counter++;
        initializers.add(initializer(name, shape, type, compute));
        return name;
    }

    /** The TensorProto of an initializer whose array {@code values} gives when it is written. */
    private static ProtoMessage initializer(String name, Shape shape, DataType dataType, Supplier<NDArray> values) {
        int type;
        if (dataType == DataType.FLOAT32) {
            type = FLOAT;
        } else if (dataType == DataType.INT64) {
            type = INT64;
        } else if (dataType == DataType.INT8) {
            type = INT8;
        } else {
            throw new IllegalArgumentException("initializer data type " + dataType + " not supported");
        }
        ProtoMessage t = new ProtoMessage();
        for (long d : shape.getShape()) {
            t.varint(1, d);
        }
        t.varint(2, type);
        t.string(8, name);
        long length = shape.size() * dataType.getNumOfBytes();
        t.raw(9, length, out -> {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray array = values.get();
                if (!array.getShape().equals(shape) || array.getDataType() != dataType) {
                    throw new IOException("initializer " + name + " is " + array.getDataType() + " " + array.getShape()
                            + ", expected " + dataType + " " + shape);
                }
                // a direct view of the engine's memory (no copy on the Java heap)
                ByteBuffer b = array.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
                if (b.remaining() != length) {
                    throw new IOException(
                            "initializer " + name + " has " + b.remaining() + " bytes, expected " + length);
                }
                out.write(b);
            }
        });
        return t;
    }

    /** An int64 constant of shape (values.length). */
    String ints(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return vector(INT64, values.length, b.array());
    }

    /** An int8 constant of shape (n), all zeros. */
    String int8Zeros(int n) {
        return vector(INT8, n, new byte[n]);
    }

    /** A float32 constant of shape (values.length). */
    String floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return vector(FLOAT, values.length, b.array());
    }

    /** A constant of shape (n) and ONNX element type {@code elemType}, its little-endian bytes {@code raw}. */
    private String vector(int elemType, int n, byte[] raw) {
        ProtoMessage t = new ProtoMessage().varint(1, n).varint(2, elemType);
        String name = "c" + counter++;
        t.string(8, name);
        t.bytes(9, raw);
        initializers.add(t);
        return name;
    }

    /** An int64 scalar constant. */
    String scalarInt(long value) {
        String name = "c" + counter++;
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        initializers.add(new ProtoMessage().varint(2, INT64).string(8, name).bytes(9, b.array()));
        return name;
    }

    /** A float32 scalar constant. */
    String scalar(float value) {
        String name = "c" + counter++;
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        initializers.add(new ProtoMessage().varint(2, FLOAT).string(8, name).bytes(9, b.array()));
        return name;
    }

    /**
     * A Loop node that applies {@code body} {@code trips} times to a float32 value {@code initial} of dims
     * {@code dims} (Long = fixed, String = symbolic; the same before and after each step): {@code body} is given the
     * step's input and returns its output, adding its nodes to the loop's body graph. The body may use any value or
     * initializer of the main graph. A block applied several times is written (and loaded by ONNX Runtime, which
     * prepacks each MatMul's weights per node) once instead of once per use.
     */
    String loop(long trips, String initial, Object[] dims, UnaryOperator<String> body) {
        List<ProtoMessage> outer = nodes;
        nodes = new ArrayList<>();
        String iteration = "v" + counter++;
        String condition = "v" + counter++;
        String in = "v" + counter++;
        String out;
        String conditionOut;
        try {
            out = op("Identity", List.of(body.apply(in)));
            conditionOut = op("Identity", List.of(condition));
        } finally {
            List<ProtoMessage> bodyNodes = nodes;
            nodes = outer;
            outer = bodyNodes;
        }
        ProtoMessage graph = new ProtoMessage();
        outer.forEach(n -> graph.message(1, n));
        graph.string(2, "loop_body_" + counter++);
        graph.message(11, valueInfo(iteration, INT64));
        graph.message(11, valueInfo(condition, BOOL));
        graph.message(11, valueInfo(in, FLOAT, dims));
        graph.message(12, valueInfo(conditionOut, BOOL));
        graph.message(12, valueInfo(out, FLOAT, dims));
        String tripCount = "c" + counter++;
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(trips);
        initializers.add(
                new ProtoMessage().varint(2, INT64).string(8, tripCount).bytes(9, b.array()));
        String result = "v" + counter++;
        ProtoMessage loop = node("Loop", List.of(tripCount, "", initial), List.of(result), List.of());
        loop.message(5, new ProtoMessage().string(1, "body").varint(20, 5).message(6, graph));
        nodes.add(loop);
        return result;
    }

    /** One node with one output; returns the output's name. */
    String op(String type, List<String> in, Attribute... attributes) {
        String out = "v" + counter++;
        nodes.add(node(type, in, List.of(out), List.of(attributes)));
        return out;
    }

    /** One node with one output named {@code name} (a graph output's name, see {@link #output}); returns name. */
    String namedOp(String name, String type, List<String> in, Attribute... attributes) {
        nodes.add(node(type, in, List.of(name), List.of(attributes)));
        return name;
    }

    /** One node with {@code n} outputs. */
    List<String> ops(String type, List<String> in, int n, Attribute... attributes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("v" + counter++);
        }
        nodes.add(node(type, in, out, List.of(attributes)));
        return out;
    }

    /**
     * One node of ONNX Runtime's {@code com.microsoft} operator set; an empty name in {@code used} leaves that
     * (optional) output out. Returns the output names, "" where left out.
     */
    List<String> microsoftOp(String type, List<String> in, boolean[] used, Attribute... attributes) {
        List<String> out = new ArrayList<>();
        for (boolean u : used) {
            out.add(u ? "v" + counter++ : "");
        }
        ProtoMessage n = node(type, in, out, List.of(attributes));
        n.string(7, MICROSOFT_DOMAIN);
        nodes.add(n);
        usesMicrosoftDomain = true;
        return out;
    }

    private ProtoMessage node(String type, List<String> in, List<String> out, List<Attribute> attributes) {
        ProtoMessage n = new ProtoMessage();
        in.forEach(i -> n.string(1, i));
        out.forEach(o -> n.string(2, o));
        n.string(3, "n" + counter++);
        n.string(4, type);
        attributes.forEach(a -> n.message(5, a.message()));
        return n;
    }

    private static ProtoMessage valueInfo(String name, int elemType, Object... dims) {
        ProtoMessage shape = new ProtoMessage();
        for (Object d : dims) {
            ProtoMessage dim = new ProtoMessage();
            if (d instanceof String s) {
                dim.string(2, s);
            } else {
                dim.varint(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        ProtoMessage tensor = new ProtoMessage().varint(1, elemType).message(2, shape);
        return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensor));
    }

    /**
     * Writes the model to {@code file} as {@code durability} says (atomically and fsynced, or plainly as a scratch
     * file), with {@code metadata} as the model's metadata_props (ONNX Runtime Java: {@code
     * OrtSession.getMetadata().getCustomMetadata()}; Python: {@code session.get_modelmeta().custom_metadata_map}).
     *
     * @param maxBytes the largest model to write, in [1, {@link #MAX_BYTES}]; a larger one fails before anything is
     *     written
     * @throws IOException for a model over {@code maxBytes} or a failed write
     */
    void save(
            Path file,
            String producer,
            String docString,
            Map<String, String> metadata,
            long maxBytes,
            OnnxExport.Durability durability)
            throws IOException {
        if (maxBytes < 1 || maxBytes > MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be in [1, " + MAX_BYTES + "]");
        }
        Objects.requireNonNull(durability, "durability");
        ProtoMessage graph = new ProtoMessage();
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, "perceiver");
        initializers.forEach(i -> graph.message(5, i));
        inputs.forEach(i -> graph.message(11, i));
        outputs.forEach(o -> graph.message(12, o));
        ProtoMessage model = new ProtoMessage()
                .varint(1, IR_VERSION)
                .string(2, producer)
                .string(6, docString)
                .message(7, graph)
                .message(8, new ProtoMessage().string(1, "").varint(2, OPSET));
        metadata.forEach(
                (k, v) -> model.message(14, new ProtoMessage().string(1, k).string(2, v)));
        if (usesMicrosoftDomain) {
            model.message(8, new ProtoMessage().string(1, MICROSOFT_DOMAIN).varint(2, 1));
        }
        if (model.size() > maxBytes) {
            throw new IOException(
                    "the ONNX model would have " + model.size() + " bytes, over the limit of " + maxBytes + " bytes"
                            + (maxBytes == MAX_BYTES ? " (a single-file ONNX model must be smaller than 2 GiB)" : ""));
        }
        if (durability == OnnxExport.Durability.DURABLE) {
            AtomicFiles.writeChannel(file, channel -> write(model, channel));
            return;
        }
        try (FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            write(model, channel);
        } catch (IOException e) {
            String reason = e instanceof FileSystemException fse && fse.getReason() != null
                    ? fse.getReason()
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new IOException("could not write " + file + ": " + reason, e);
        }
    }

    /** Writes {@code model} to {@code channel} from its position. */
    private static void write(ProtoMessage model, FileChannel channel) throws IOException {
        CodedOutputStream out = CodedOutputStream.newInstance(Channels.newOutputStream(channel), 1 << 16);
        // tensor data goes from the engine's memory to the file in one write each, after the buffered fields
        model.writeTo(out, bytes -> {
            out.flush();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        });
        out.flush();
    }

    /** A node attribute. */
    record Attribute(ProtoMessage message) {
        static Attribute of(String name, long value) {
            return new Attribute(
                    new ProtoMessage().string(1, name).varint(20, 2).varint(3, value));
        }

        static Attribute of(String name, float value) {
            return new Attribute(
                    new ProtoMessage().string(1, name).varint(20, 1).float32(2, value));
        }

        static Attribute ints(String name, long... values) {
            ProtoMessage m = new ProtoMessage().string(1, name).varint(20, 7);
            for (long v : values) {
                m.varint(8, v);
            }
            return new Attribute(m);
        }
    }

    /** Candidates for equal content: type, shape and the sum of the values (equal arrays have equal sums). */
    private record ContentKey(DataType type, Shape shape, double sum) {}
}
