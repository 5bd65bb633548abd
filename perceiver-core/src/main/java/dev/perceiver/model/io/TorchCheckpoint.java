package dev.perceiver.model.io;

import dev.perceiver.model.io.TorchPickle.StorageRef;
import dev.perceiver.model.io.TorchPickle.StorageType;
import dev.perceiver.model.io.TorchPickle.TensorRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The state dict of a {@code torch.save} file ({@code pytorch_model.bin}, {@code .pt}, {@code .pth}) or of a Lightning
 * {@code .ckpt}, read without running any of its pickle: the zip archive's {@code <record>/data.pkl} is interpreted by
 * a restricted unpickler ({@link TorchPickle}: allow-listed globals only) and its tensors are views of the stored
 * {@code <record>/data/<key>} entries.
 *
 * <p>Memory: {@link #open} reads each tensor from the file when it is asked for, into the caller's buffer (loading a
 * model this way holds the weights once, in its parameters). {@link #read(Path)} memory-maps the file: a tensor whose
 * bytes lie contiguously in its storage with the dtype they are read as (the usual case) is a view of the mapping.
 * Either way only float16/bfloat16 tensors (read as float32), strided views and big-endian archives are copied, one
 * tensor at a time (the span of its storage it covers, then the converted tensor). Every storage's
 * CRC-32, shape, stride and offset is checked when the file is read, so a lying header fails then with a {@link
 * CheckpointFormatException} naming the tensor and the sizes, and never allocates more than the archive justifies.
 *
 * <p>The result has the shape of {@link SafetensorsFile#tensors()}: ordered names to {@link TensorData} (dtypes
 * {@code F32}, {@code F64}, {@code I64}, {@code I32}, {@code I16}, {@code I8}, {@code U8}, {@code BOOL}), so {@link
 * StateDicts#load(dev.perceiver.nn.Module, Map, String, String)} loads it strictly.
 */
public final class TorchCheckpoint {

    /** The source name used in messages for {@link #read(byte[])}. */
    static final String BYTES_SOURCE = "<bytes>";

    /** Largest {@code data.pkl} accepted: the pickle of a state dict is a few bytes per tensor. */
    static final long MAX_PICKLE = 256L << 20;

    /** Bytes of a storage read at a time to check its CRC-32. */
    private static final int CRC_CHUNK = 1 << 20;

    /** Leading bytes of the pickle that torch before 1.6 wrote (its magic number as a protocol-2 long). */
    private static final byte[] LEGACY_MAGIC = HexFormat.of().parseHex("80028a0a6cfc9c46f9206aa85019");

    private final String source;
    private final LinkedHashMap<String, TensorRef> tensors;
    private final boolean bigEndian;
    private final List<String> placeholders;

    /** The one converted tensor {@link #open}'s sources keep, so reading it in pieces converts it once. */
    private TensorRef convertedRef;

    private TensorData converted;

    private TorchCheckpoint(
            String source, LinkedHashMap<String, TensorRef> tensors, boolean bigEndian, List<String> placeholders) {
        this.source = source;
        this.tensors = tensors;
        this.bigEndian = bigEndian;
        this.placeholders = placeholders;
    }

    /**
     * Reads the state dict of a {@code torch.save} file: its top-level dict of names to tensors (or, if the top level
     * is a dict of other things, its {@code state_dict} entry). Any global outside the allow-list is refused.
     *
     * @param path the file
     * @return the checkpoint, its tensors mapped from the file (the file may be deleted afterwards)
     * @throws UnsafePickleException if the pickle names a global outside the allow-list (the message names it)
     * @throws CheckpointFormatException if the archive or its pickle is malformed, or a tensor does not fit its
     *     storage
     * @throws IOException if the file cannot be read
     */
    public static TorchCheckpoint read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        try (ByteSource bytes = ByteSource.open(path)) {
            return read(path.toString(), bytes, false);
        }
    }

    /**
     * Opens a {@code torch.save} file as {@link #read(Path)} reads it (same checks, every storage's CRC-32 included,
     * read from the file in 1 MiB pieces), but maps nothing: each tensor's bytes are read from the file when asked for,
     * so loading them into engine arrays holds the weights once. A float16/bfloat16, strided or big-endian tensor is
     * converted when first read, and kept until another such tensor is read.
     *
     * @param path the file
     * @param lightning whether to read it as {@link #readLightning(Path)} does
     * @return its tensors, in the order of the pickle; close it once they are read
     * @throws UnsafePickleException if the pickle names a global outside the allow-list
     * @throws CheckpointFormatException if the archive or its pickle is malformed, or a tensor does not fit its
     *     storage
     * @throws IOException if the file cannot be read
     */
    public static CheckpointFiles.Opened open(Path path, boolean lightning) throws IOException {
        Objects.requireNonNull(path, "path");
        ByteSource bytes = ByteSource.channel(path);
        try {
            TorchCheckpoint checkpoint = read(path.toString(), bytes, lightning);
            LinkedHashMap<String, TensorSource> sources = new LinkedHashMap<>();
            checkpoint.tensors.forEach((name, t) -> sources.put(name, checkpoint.new Source(t)));
            return new CheckpointFiles.Opened(sources, bytes::close);
        } catch (IOException | RuntimeException e) {
            bytes.close();
            throw e;
        }
    }

    /**
     * Reads the {@code state_dict} of a PyTorch Lightning checkpoint ({@code .ckpt}, a {@code torch.save} file of a
     * dict with {@code state_dict}, {@code hyper_parameters}, {@code optimizer_states}, ...). Globals outside the
     * allow-list (hyper-parameter classes and the like) become inert placeholders, never instantiated; they are
     * listed by {@link #placeholders()}. A placeholder inside the state dict itself is an error.
     *
     * @param path the file
     * @return the checkpoint holding the tensors of {@code state_dict}
     * @throws CheckpointFormatException if the archive is malformed or has no {@code state_dict} of tensors
     * @throws IOException if the file cannot be read
     */
    public static TorchCheckpoint readLightning(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        try (ByteSource bytes = ByteSource.open(path)) {
            return read(path.toString(), bytes, true);
        }
    }

    /**
     * Reads a {@code torch.save} file held in memory, as {@link #read(Path)} does; the tensors are views of the
     * array, which must not be modified afterwards.
     *
     * @param bytes the complete file content
     * @return the checkpoint
     * @throws CheckpointFormatException if the content is malformed (the message names {@code <bytes>})
     */
    public static TorchCheckpoint read(byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        try (ByteSource source = ByteSource.of(bytes)) {
            return read(BYTES_SOURCE, source, false);
        }
    }

    /**
     * Reads the {@code state_dict} of a Lightning checkpoint held in memory, as {@link #readLightning(Path)} does.
     *
     * @param bytes the complete file content
     * @return the checkpoint
     * @throws CheckpointFormatException if the content is malformed (the message names {@code <bytes>})
     */
    public static TorchCheckpoint readLightning(byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        try (ByteSource source = ByteSource.of(bytes)) {
            return read(BYTES_SOURCE, source, true);
        }
    }

    private static TorchCheckpoint read(String source, ByteSource bytes, boolean lightning) throws IOException {
        checkMagic(source, bytes);
        ZipArchive archive = ZipArchive.read(source, bytes);
        String record = record(source, archive);
        boolean bigEndian = byteOrder(source, archive, record);
        ZipArchive.Entry pickleEntry = archive.entries().get(record + "/data.pkl");
        if (pickleEntry.size() > MAX_PICKLE) {
            throw fail(
                    source,
                    pickleEntry.name() + " of " + pickleEntry.size() + " bytes is larger than the " + MAX_PICKLE
                            + " bytes a state dict's pickle can need");
        }
        ByteBuffer pickle = archive.data(pickleEntry, true);
        TorchPickle policy = new TorchPickle(source, archive, record, lightning);
        Object root = PickleReader.load(source + " [" + pickleEntry.name() + "]", pickle, policy);
        Map<?, ?> stateDict = stateDict(source, root, lightning);
        LinkedHashMap<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : stateDict.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw fail(source, "state dict key " + PickleReader.describe(e.getKey()) + " is not a string");
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                throw fail(
                        source,
                        "state dict entry '" + TorchPickle.abbreviate(name) + "' is "
                                + PickleReader.describe(e.getValue()) + ", not a tensor");
            }
            check(source, name, t, bytes.size());
            tensors.put(name, t);
        }
        ByteBuffer scratch = ByteBuffer.allocate(CRC_CHUNK);
        for (TensorRef t : tensors.values()) {
            t.storage().verify(source, scratch);
        }
        return new TorchCheckpoint(source, tensors, bigEndian, lightning ? policy.unknownGlobals() : List.of());
    }

    /** Recognises what is not a zip archive at all, with a message saying what it is instead. */
    private static void checkMagic(String source, ByteSource bytes) throws IOException {
        long size = bytes.size();
        if (size == 0) {
            throw fail(source, "file is empty");
        }
        ByteBuffer head = bytes.region(0, Math.min(size, LEGACY_MAGIC.length)).order(ByteOrder.LITTLE_ENDIAN);
        int b0 = head.get(0) & 0xff;
        if (b0 == 0x80) {
            byte[] start = new byte[head.remaining()];
            head.duplicate().get(start);
            String what = Arrays.equals(start, LEGACY_MAGIC)
                    ? "this is the legacy torch.save format (torch < 1.6 or" + " _use_new_zipfile_serialization=False)"
                    : "this is a plain pickle, not a torch.save zip archive";
            throw fail(
                    source,
                    what + ", which cannot be read safely; re-save it with torch >= 1.6"
                            + " (torch.save(torch.load(f), g)) or convert it to safetensors");
        }
        if (size >= 4 && head.getInt(0) == 0x04034b50) {
            return;
        }
        if (size >= 9
                && head.getLong(0) > 0
                && head.getLong(0) < size
                && bytes.region(8, 1).get(0) == '{') {
            throw fail(
                    source,
                    "this looks like a safetensors file, not a torch.save archive; read it with" + " SafetensorsFile");
        }
        if (size >= 4 && head.getInt(0) == 0x06054b50) {
            throw fail(source, "this is an empty zip archive, not a torch.save archive");
        }
        byte[] start = new byte[(int) Math.min(size, 4)];
        head.duplicate().get(start);
        throw fail(
                source,
                "not a torch.save zip archive (it starts with bytes "
                        + HexFormat.ofDelimiter(" ").formatHex(start) + ", a zip archive with PK 03 04)");
    }

    /** The record folder: the one top-level folder holding {@code data.pkl}. */
    private static String record(String source, ZipArchive archive) throws CheckpointFormatException {
        List<String> records = new ArrayList<>();
        boolean torchScript = false;
        for (String name : archive.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl")) {
                records.add(name.substring(0, slash));
            }
            torchScript |= name.endsWith("/constants.pkl") || name.contains("/code/");
        }
        if (torchScript) {
            throw fail(
                    source,
                    "this is a TorchScript archive (torch.jit.save), not a state dict; save"
                            + " model.state_dict() with torch.save instead");
        }
        if (records.size() != 1) {
            throw fail(
                    source,
                    records.isEmpty()
                            ? "no <record>/data.pkl entry: the zip archive was not written by torch.save"
                            : "several records with a data.pkl: " + records);
        }
        return records.get(0);
    }

    /** Whether the storages are big-endian ({@code <record>/byteorder}; little-endian when absent). */
    private static boolean byteOrder(String source, ZipArchive archive, String record) throws IOException {
        ZipArchive.Entry entry = archive.entries().get(record + "/byteorder");
        if (entry == null) {
            return false;
        }
        if (entry.size() > 16) {
            throw fail(source, entry.name() + " has " + entry.size() + " bytes ('little' or 'big' expected)");
        }
        ByteBuffer data = archive.data(entry, true);
        byte[] b = new byte[data.remaining()];
        data.get(b);
        String order = new String(b, StandardCharsets.US_ASCII).trim();
        return switch (order) {
            case "little" -> false;
            case "big" -> true;
            default ->
                throw fail(
                        source,
                        entry.name() + " is '" + TorchPickle.abbreviate(order) + "' ('little' or 'big' expected)");
        };
    }

    private static Map<?, ?> stateDict(String source, Object root, boolean lightning) throws CheckpointFormatException {
        if (!(root instanceof Map<?, ?> map)) {
            throw fail(source, "the pickle holds " + PickleReader.describe(root) + ", not a dict of tensors");
        }
        if (!lightning && map.values().stream().allMatch(v -> v instanceof TensorRef)) {
            return map;
        }
        Object inner = map.get("state_dict");
        if (inner instanceof Map<?, ?> stateDict) {
            return stateDict;
        }
        if (lightning) {
            throw fail(source, "the checkpoint has no 'state_dict' dict (a Lightning checkpoint has one)");
        }
        return map; // reported entry by entry
    }

    /** Checks shape, strides and offset against the storage; errors name the tensor and the sizes. */
    private static void check(String source, String name, TensorRef t, long archiveSize)
            throws CheckpointFormatException {
        String what = "tensor '" + TorchPickle.abbreviate(name) + "' (shape " + Arrays.toString(t.size()) + ", stride "
                + Arrays.toString(t.stride()) + ", offset " + t.offset() + ")";
        StorageRef s = t.storage();
        if (t.size().length != t.stride().length) {
            throw fail(source, what + ": shape and stride differ in length");
        }
        if (t.offset() < 0) {
            throw fail(source, what + ": negative storage offset");
        }
        for (int i = 0; i < t.size().length; i++) {
            if (t.size()[i] < 0) {
                throw fail(source, what + ": negative dimension " + t.size()[i]);
            }
            if (t.stride()[i] < 0) {
                throw fail(source, what + ": negative stride " + t.stride()[i]);
            }
        }
        long numel;
        try {
            numel = TensorData.numel(t.size());
        } catch (IllegalArgumentException e) {
            throw fail(source, what + ": too many elements");
        }
        if (numel == 0) {
            return;
        }
        long last = t.offset();
        try {
            for (int i = 0; i < t.size().length; i++) {
                last = Math.addExact(last, Math.multiplyExact(t.size()[i] - 1, t.stride()[i]));
            }
        } catch (ArithmeticException e) {
            last = Long.MAX_VALUE;
        }
        if (last >= s.numel) {
            throw fail(
                    source,
                    what + " reaches element " + (last == Long.MAX_VALUE ? "beyond 2^63" : last) + " of storage '"
                            + TorchPickle.abbreviate(s.key) + "', which has " + s.numel + " elements");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(numel, (long) TensorData.bytesPerElement(s.type.dtype));
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        if (numel > s.numel && bytes > archiveSize) {
            throw fail(
                    source,
                    what + " repeats the " + s.numel + " elements of its storage into " + numel + " (" + bytes
                            + " bytes), more than the " + archiveSize + "-byte archive holds");
        }
        if (bytes > ByteSource.MAX_REGION) {
            throw fail(
                    source,
                    what + " needs " + bytes + " bytes, more than one buffer holds (" + ByteSource.MAX_REGION + ")");
        }
    }

    /**
     * Returns where this checkpoint was read from: the path as given, or {@code <bytes>}.
     *
     * @return the source name used in messages
     */
    public String source() {
        return source;
    }

    /**
     * Returns the tensor names in the order of the pickle.
     *
     * @return an unmodifiable set
     */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /**
     * Returns the dtype a tensor is read as ({@code F32} for float16 and bfloat16 storages), without reading it.
     *
     * @param name the tensor name
     * @return a {@link TensorData} dtype name
     * @throws IllegalArgumentException if there is no such tensor
     */
    public String dtype(String name) {
        return ref(name).storage().type.dtype;
    }

    /**
     * Returns the shape of a tensor without reading it.
     *
     * @param name the tensor name
     * @return a copy of its dimensions
     * @throws IllegalArgumentException if there is no such tensor
     */
    public long[] shape(String name) {
        return ref(name).size().clone();
    }

    /**
     * Returns one tensor: a view of the mapped storage when its bytes are contiguous and need no conversion, else a
     * new little-endian contiguous copy (float16/bfloat16 widened to float32).
     *
     * @param name the tensor name
     * @return the tensor
     * @throws IllegalArgumentException if there is no such tensor
     */
    public TensorData get(String name) {
        return materializeUnchecked(ref(name));
    }

    /**
     * Returns all tensors as an ordered, unmodifiable map whose values are made by {@link #get} when looked up, so
     * converted copies exist only while the caller holds them. Each lookup makes a new value.
     *
     * @return name to tensor, in the order of the pickle
     */
    public Map<String, TensorData> tensors() {
        return new AbstractMap<>() {
            @Override
            public TensorData get(Object key) {
                TensorRef t = tensors.get(key);
                return t == null ? null : materializeUnchecked(t);
            }

            @Override
            public boolean containsKey(Object key) {
                return tensors.containsKey(key);
            }

            @Override
            public Set<String> keySet() {
                return names();
            }

            @Override
            public int size() {
                return tensors.size();
            }

            @Override
            public Set<Map.Entry<String, TensorData>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<String, TensorData>> iterator() {
                        Iterator<Map.Entry<String, TensorRef>> it =
                                tensors.entrySet().iterator();
                        return new Iterator<>() {
                            @Override
                            public boolean hasNext() {
                                return it.hasNext();
                            }

                            @Override
                            public Map.Entry<String, TensorData> next() {
                                Map.Entry<String, TensorRef> e = it.next();
                                return new AbstractMap.SimpleImmutableEntry<>(
                                        e.getKey(), materializeUnchecked(e.getValue()));
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return tensors.size();
                    }
                };
            }
        };
    }

    /**
     * Returns the globals that {@link #readLightning} turned into inert placeholders (hyper-parameter classes and the
     * like), sorted; empty for {@link #read}.
     *
     * @return {@code module.name} of each
     */
    public List<String> placeholders() {
        return placeholders;
    }

    /** Describes the source and the tensor count. */
    @Override
    public String toString() {
        return "TorchCheckpoint[" + source + ", " + tensors.size() + " tensors]";
    }

    private TensorRef ref(String name) {
        TensorRef t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + TorchPickle.abbreviate(name) + "' in " + source);
        }
        return t;
    }

    /** {@link #materialize} for a checkpoint read by {@link #read}, whose storages are views (no I/O can fail). */
    private TensorData materializeUnchecked(TensorRef t) {
        try {
            return materialize(t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a tensor's bytes are its storage's bytes as they lie: contiguous, not converted, little-endian. */
    private boolean direct(TensorRef t) {
        StorageType type = t.storage().type;
        return !bigEndian && type.dtype.equals(type.storedDtype) && contiguous(t.size(), t.stride());
    }

    private TensorData materialize(TensorRef t) throws IOException {
        StorageType type = t.storage().type;
        long[] size = t.size();
        long[] stride = t.stride();
        long numel = TensorData.numel(size);
        if (numel == 0) {
            return new TensorData(type.dtype, size, ByteBuffer.allocate(0));
        }
        ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int itemSize = type.itemSize;
        if (direct(t)) {
            return new TensorData(type.dtype, size, t.storage().data(t.offset() * itemSize, numel * itemSize, order));
        }
        // the span of the storage the tensor covers: elements [offset, last], bounds checked when read
        long last = t.offset();
        for (int d = 0; d < size.length; d++) {
            last += (size[d] - 1) * stride[d];
        }
        ByteBuffer storage = t.storage().data(t.offset() * itemSize, (last - t.offset() + 1) * itemSize, order);
        int outSize = TensorData.bytesPerElement(type.dtype);
        ByteBuffer out = ByteBuffer.allocate((int) (numel * outSize)).order(ByteOrder.LITTLE_ENDIAN);
        int rank = size.length;
        long[] index = new long[rank];
        long element = 0;
        for (long i = 0; i < numel; i++) {
            int from = (int) (element * itemSize);
            int to = (int) (i * outSize);
            switch (type) {
                case FLOAT, INT -> out.putInt(to, storage.getInt(from));
                case DOUBLE, LONG -> out.putLong(to, storage.getLong(from));
                case SHORT -> out.putShort(to, storage.getShort(from));
                case CHAR, BYTE, BOOL -> out.put(to, storage.get(from));
                case HALF -> out.putFloat(to, TensorData.halfToFloat(storage.getShort(from)));
                case BFLOAT16 -> out.putInt(to, (storage.getShort(from) & 0xffff) << 16);
                default -> throw new IllegalStateException(type.name());
            }
            for (int d = rank - 1; d >= 0; d--) {
                element += stride[d];
                if (++index[d] < size[d]) {
                    break;
                }
                element -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return new TensorData(type.dtype, size, out);
    }

    /** A tensor of a checkpoint opened by {@link #open}: read from the file, or converted once, when asked for. */
    private final class Source implements TensorSource {
        private final TensorRef t;

        Source(TensorRef t) {
            this.t = t;
        }

        @Override
        public String dtype() {
            return t.storage().type.dtype;
        }

        @Override
        public long[] shape() {
            return t.size().clone();
        }

        @Override
        public long byteSize() {
            return TensorData.numel(t.size()) * TensorData.bytesPerElement(dtype());
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            TensorData.checkRange(offset, dst.remaining(), byteSize());
            if (direct(t)) {
                t.storage().bytes().read(t.offset() * t.storage().type.itemSize + offset, dst);
            } else {
                converted(t).read(offset, dst);
            }
        }

        @Override
        public String toString() {
            return "tensor " + Arrays.toString(t.size()) + " of " + source;
        }
    }

    private synchronized TensorData converted(TensorRef t) throws IOException {
        if (convertedRef != t) {
            converted = null;
            converted = materialize(t);
            convertedRef = t;
        }
        return converted;
    }

    /** Row-major contiguous: every dimension longer than one has the stride of the dimensions after it. */
    private static boolean contiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] == 0) {
                return true;
            }
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    private static CheckpointFormatException fail(String source, String problem) {
        return new CheckpointFormatException(source + ": " + problem);
    }
}
