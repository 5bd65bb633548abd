package dev.perceiver.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * What a {@code torch.save} pickle may name: the allow-list of globals a state dict needs ({@code
 * collections.OrderedDict}, the {@code torch._utils} tensor and parameter rebuild functions, the typed storage
 * classes) and the persistent-id storage records {@code ('storage', <class>, key, location, numel)}, each resolved
 * against the archive's {@code <record>/data/<key>} entry. Tensors come out as inert {@link TensorRef}s (a storage, an
 * offset, a shape and strides); no tensor data is read here.
 *
 * <p>Strict (the default) refuses any other global with an {@link UnsafePickleException} naming it, at the opcode that
 * names it, before anything is built. Permissive (for the state dict inside a Lightning {@code .ckpt}) turns unknown
 * globals into {@link PickleReader.Inert} placeholders that are never instantiated, and records their names.
 */
final class TorchPickle implements PickleReader.Policy {

    /** Typed storage classes: the element type in the archive and the dtype a tensor of it is read as. */
    enum StorageType {
        FLOAT("FloatStorage", "F32", 4, "F32"),
        DOUBLE("DoubleStorage", "F64", 8, "F64"),
        HALF("HalfStorage", "F16", 2, "F32"),
        BFLOAT16("BFloat16Storage", "BF16", 2, "F32"),
        LONG("LongStorage", "I64", 8, "I64"),
        INT("IntStorage", "I32", 4, "I32"),
        SHORT("ShortStorage", "I16", 2, "I16"),
        CHAR("CharStorage", "I8", 1, "I8"),
        BYTE("ByteStorage", "U8", 1, "U8"),
        BOOL("BoolStorage", "BOOL", 1, "BOOL");

        final String className;
        final String storedDtype;
        final int itemSize;
        final String dtype;

        StorageType(String className, String storedDtype, int itemSize, String dtype) {
            this.className = className;
            this.storedDtype = storedDtype;
            this.itemSize = itemSize;
            this.dtype = dtype;
        }

        @Override
        public String toString() {
            return "global torch." + className;
        }
    }

    /** The allowed callables. */
    enum Function {
        ORDERED_DICT("collections", "OrderedDict"),
        REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
        REBUILD_TENSOR("torch._utils", "_rebuild_tensor"),
        REBUILD_PARAMETER("torch._utils", "_rebuild_parameter"),
        REBUILD_PARAMETER_WITH_STATE("torch._utils", "_rebuild_parameter_with_state");

        final String qualified;

        Function(String module, String name) {
            this.qualified = module + "." + name;
        }

        @Override
        public String toString() {
            return "global " + qualified;
        }
    }

    /** Every allowed global, for messages. */
    static final String ALLOWED = Stream.concat(
                    Arrays.stream(Function.values()).map(f -> f.qualified),
                    Arrays.stream(StorageType.values()).map(t -> "torch." + t.className))
            .collect(Collectors.joining(", "));

    private static final Map<String, Object> GLOBALS = new HashMap<>();

    static {
        for (Function f : Function.values()) {
            GLOBALS.put(f.qualified, f);
        }
        for (StorageType t : StorageType.values()) {
            GLOBALS.put("torch." + t.className, t);
        }
    }

    /** A global outside the allow-list, seen by a permissive reader: inert, never resolved. */
    record UnknownGlobal(String qualified) {
        @Override
        public String toString() {
            return "global " + qualified;
        }
    }

    /**
     * One storage of the archive: its key, type, element count and the view of its entry (mapped, not read). The
     * CRC-32 of the entry is checked once, by {@link #verify}, before any tensor of it is read.
     */
    static final class StorageRef {
        final String key;
        final StorageType type;
        final long numel;
        final ZipArchive.Entry entry;
        private final ByteSource data;
        private boolean verified;

        StorageRef(String key, StorageType type, long numel, ZipArchive.Entry entry, ByteSource data) {
            this.key = key;
            this.type = type;
            this.numel = numel;
            this.entry = entry;
            this.data = data;
        }

        /**
         * Checks the entry's CRC-32 (once); this reads every byte of the storage, a piece of {@code scratch}'s capacity
         * at a time, into {@code scratch} (a heap buffer).
         */
        synchronized void verify(String source, ByteBuffer scratch) throws IOException {
            if (!verified) {
                CRC32 crc = new CRC32();
                long size = data.size();
                for (long at = 0; at < size; ) {
                    scratch.clear().limit((int) Math.min(scratch.capacity(), size - at));
                    data.read(at, scratch);
                    crc.update(scratch.flip());
                    at += scratch.limit();
                }
                if (crc.getValue() != entry.crc()) {
                    throw new CheckpointFormatException(source + ": storage '" + abbreviate(key) + "' (entry "
                            + abbreviate(entry.name()) + ") is corrupt: CRC-32 " + Long.toHexString(crc.getValue())
                            + ", expected " + Long.toHexString(entry.crc()));
                }
                verified = true;
            }
        }

        /** The storage bytes: views of a mapped file or array, or read from the file on demand. */
        ByteSource bytes() {
            return data;
        }

        /** The storage bytes {@code [offset, offset + length)} in the archive's byte order (a view or a copy). */
        ByteBuffer data(long offset, long length, ByteOrder order) throws IOException {
            return data.region(offset, length).order(order);
        }

        @Override
        public String toString() {
            return "a storage";
        }
    }

    /** A tensor as the pickle describes it: a view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
        @Override
        public String toString() {
            return "a tensor";
        }
    }

    private final String source;
    private final ZipArchive archive;
    private final String record;
    private final boolean permissive;
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();
    private final TreeSet<String> unknownGlobals = new TreeSet<>();

    /**
     * Creates the policy for one archive.
     *
     * @param source the file name for messages
     * @param record the archive's record folder, e.g. {@code archive} (storages are {@code record/data/<key>})
     * @param permissive whether unknown globals become placeholders instead of being refused
     */
    TorchPickle(String source, ZipArchive archive, String record, boolean permissive) {
        this.source = source;
        this.archive = archive;
        this.record = record;
        this.permissive = permissive;
    }

    /** The unknown globals a permissive reader turned into placeholders, sorted. */
    List<String> unknownGlobals() {
        return new ArrayList<>(unknownGlobals);
    }

    @Override
    public Object global(String module, String name) throws CheckpointFormatException {
        String qualified = module + "." + name;
        Object known = GLOBALS.get(qualified);
        if (known != null) {
            return known;
        }
        if (permissive) {
            unknownGlobals.add(qualified);
            return new UnknownGlobal(qualified);
        }
        throw new UnsafePickleException(
                source + ": pickle refers to global " + abbreviate(qualified)
                        + ", which is not allowed in a checkpoint (allowed: " + ALLOWED + ")",
                qualified);
    }

    @Override
    public Object call(Object callable, List<Object> args) throws CheckpointFormatException {
        if (callable instanceof UnknownGlobal g) {
            return new PickleReader.Inert(g.qualified(), args);
        }
        if (!(callable instanceof Function f)) {
            throw fail(PickleReader.describe(callable) + " cannot be called"
                    + (callable instanceof StorageType ? " (storages come only from persistent ids)" : ""));
        }
        switch (f) {
            case ORDERED_DICT:
                if (!args.isEmpty()) {
                    throw fail(f.qualified + " called with " + args.size() + " arguments (0 expected)");
                }
                return new LinkedHashMap<>();
            case REBUILD_TENSOR_V2:
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.size() != 6 && args.size() != 7) {
                    throw fail(f.qualified + " called with " + args.size() + " arguments (6 or 7 expected)");
                }
                return tensor(f, args);
            case REBUILD_TENSOR:
                // (storage, storage_offset, size, stride)
                if (args.size() != 4) {
                    throw fail(f.qualified + " called with " + args.size() + " arguments (4 expected)");
                }
                return tensor(f, args);
            case REBUILD_PARAMETER:
            case REBUILD_PARAMETER_WITH_STATE:
                // (data, requires_grad, backward_hooks[, state]): the parameter is its tensor
                int expected = f == Function.REBUILD_PARAMETER ? 3 : 4;
                if (args.size() != expected) {
                    throw fail(f.qualified + " called with " + args.size() + " arguments (" + expected + " expected)");
                }
                if (!(args.get(0) instanceof TensorRef)) {
                    throw fail(f.qualified + " argument 'data' is " + PickleReader.describe(args.get(0))
                            + " (a tensor expected)");
                }
                return args.get(0);
            default:
                throw new IllegalStateException(f.name());
        }
    }

    private TensorRef tensor(Function f, List<Object> args) throws CheckpointFormatException {
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw fail(f.qualified + " argument 'storage' is " + PickleReader.describe(args.get(0))
                    + " (a persistent-id storage expected)");
        }
        long offset = integer(f, "storage_offset", args.get(1));
        long[] size = integers(f, "size", args.get(2));
        long[] stride = integers(f, "stride", args.get(3));
        return new TensorRef(storage, offset, size, stride);
    }

    @Override
    public Object persistent(Object pid) throws CheckpointFormatException {
        if (!(pid instanceof List<?> t)
                || pid instanceof ArrayList<?>
                || t.size() != 5
                || !"storage".equals(t.get(0))) {
            throw fail("persistent id is " + PickleReader.describe(pid)
                    + " (('storage', <storage class>, key, location, numel) expected)");
        }
        if (!(t.get(1) instanceof StorageType type)) {
            throw fail("storage of " + PickleReader.describe(t.get(1)) + " is not supported (supported: "
                    + Arrays.stream(StorageType.values())
                            .map(s -> "torch." + s.className)
                            .collect(Collectors.joining(", "))
                    + ")");
        }
        if (!(t.get(2) instanceof String key) || !(t.get(3) instanceof String)) {
            throw fail("storage key and location must be strings, found " + PickleReader.describe(t.get(2)) + " and "
                    + PickleReader.describe(t.get(3)));
        }
        if (!(t.get(4) instanceof Long numel) || numel < 0) {
            throw fail("storage '" + abbreviate(key) + "' element count must be a non-negative int, found "
                    + (t.get(4) instanceof Long ? t.get(4) : PickleReader.describe(t.get(4))));
        }
        StorageRef known = storages.get(key);
        if (known != null) {
            if (known.type != type || known.numel != numel) {
                throw fail("storage '" + abbreviate(key) + "' is described twice differently (" + known.type.className
                        + " of " + known.numel + " elements, then " + type.className + " of " + numel + ")");
            }
            return known;
        }
        String name = record + "/data/" + key;
        ZipArchive.Entry entry = archive.entries().get(name);
        if (entry == null) {
            throw fail("storage '" + abbreviate(key) + "' has no entry " + abbreviate(name) + " in the archive");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(numel, (long) type.itemSize);
        } catch (ArithmeticException e) {
            bytes = -1;
        }
        if (bytes != entry.size()) {
            throw fail("storage '" + abbreviate(key) + "' claims " + numel + " elements of " + type.className + " ("
                    + (bytes < 0 ? "overflow" : bytes + " bytes") + ") but its entry holds " + entry.size() + " bytes");
        }
        ByteSource data;
        try {
            data = archive.slice(entry);
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointFormatException(
                    source + ": cannot read storage '" + abbreviate(key) + "': " + e.getMessage(), e);
        }
        StorageRef ref = new StorageRef(key, type, numel, entry, data);
        storages.put(key, ref);
        return ref;
    }

    @Override
    public void build(Object target, Object state) throws CheckpointFormatException {
        if (target instanceof PickleReader.Inert inert) {
            inert.state = state;
        } else if (!(target instanceof LinkedHashMap<?, ?>)) {
            // an OrderedDict's state (its _metadata attribute) carries no tensors and is dropped
            throw fail("BUILD on " + PickleReader.describe(target) + " is not supported");
        }
    }

    private long integer(Function f, String what, Object o) throws CheckpointFormatException {
        if (!(o instanceof Long v)) {
            throw fail(f.qualified + " argument '" + what + "' is " + PickleReader.describe(o) + " (an int expected)");
        }
        return v;
    }

    private long[] integers(Function f, String what, Object o) throws CheckpointFormatException {
        if (!(o instanceof List<?> list)) {
            throw fail(f.qualified + " argument '" + what + "' is " + PickleReader.describe(o)
                    + " (a tuple of ints expected)");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(f, what, list.get(i));
        }
        return out;
    }

    private CheckpointFormatException fail(String problem) {
        return new CheckpointFormatException(source + ": " + problem);
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
