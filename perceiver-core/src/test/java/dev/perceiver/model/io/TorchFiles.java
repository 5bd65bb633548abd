package dev.perceiver.model.io;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test-only writer of files in the {@code torch.save} format: pickles of protocol 2 built opcode by opcode (so tests can
 * also write hostile ones), and zip archives of stored entries written by {@link ZipOutputStream} (an implementation
 * independent of the reader under test).
 */
final class TorchFiles {
    private TorchFiles() {}

    /** A storage: its key (the entry {@code data/<key>}), torch class name and raw bytes. */
    record Storage(String key, String className, long numel, byte[] bytes) {
        static Storage floats(String key, float... values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Storage(key, "FloatStorage", values.length, b.array());
        }

        static Storage longs(String key, long... values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(values);
            return new Storage(key, "LongStorage", values.length, b.array());
        }

        static Storage raw(String key, String className, int itemSize, byte[] bytes) {
            return new Storage(key, className, bytes.length / itemSize, bytes);
        }

        /** The same storage claiming another element count (a lying header). */
        Storage claiming(long numel) {
            return new Storage(key, className, numel, bytes);
        }
    }

    /** A tensor of a state dict: a view of a storage. */
    record Tensor(Storage storage, long offset, long[] size, long[] stride) {
        /** A contiguous tensor over the whole storage. */
        static Tensor of(Storage storage, long... size) {
            long[] stride = new long[size.length];
            long s = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                stride[i] = s;
                s *= size[i];
            }
            return new Tensor(storage, 0, size, stride);
        }
    }

    /** Protocol-2 pickle opcodes, appended one by one. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle proto(int version) {
            return op(0x80, version);
        }

        Pickle mark() {
            return op('(');
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(le(b.length, 4));
            out.writeBytes(b);
            return this;
        }

        /** SHORT_BINUNICODE (protocol 4). */
        Pickle shortString(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c, b.length);
            out.writeBytes(b);
            return this;
        }

        /** STACK_GLOBAL (protocol 4) of two short strings, memoised. */
        Pickle stackGlobal(String module, String name) {
            return shortString(module)
                    .op(0x94)
                    .shortString(name)
                    .op(0x94)
                    .op(0x93)
                    .op(0x94);
        }

        Pickle integer(long v) {
            if (v >= 0 && v < 256) {
                return op('K', (int) v);
            }
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                op('J');
                out.writeBytes(le(v, 4));
                return this;
            }
            op(0x8a, 8);
            out.writeBytes(le(v, 8));
            return this;
        }

        Pickle tuple(long... values) {
            mark();
            for (long v : values) {
                integer(v);
            }
            return op('t');
        }

        Pickle emptyTuple() {
            return op(')');
        }

        Pickle emptyDict() {
            return op('}');
        }

        Pickle reduce() {
            return op('R');
        }

        Pickle setItems() {
            return op('u');
        }

        Pickle stop() {
            return op('.');
        }

        /** {@code collections.OrderedDict()}. */
        Pickle orderedDict() {
            return global("collections", "OrderedDict").emptyTuple().reduce();
        }

        /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}. */
        Pickle tensor(Tensor t) {
            global("torch._utils", "_rebuild_tensor_v2").mark();
            storage(t.storage());
            integer(t.offset()).tuple(t.size()).tuple(t.stride()).op(0x89).orderedDict();
            return op('t').reduce();
        }

        /** The persistent id {@code ('storage', torch.<class>, key, 'cpu', numel)}. */
        Pickle storage(Storage s) {
            mark().string("storage")
                    .global("torch", s.className())
                    .string(s.key())
                    .string("cpu");
            return integer(s.numel()).op('t', 'Q');
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** The pickle torch writes for a state dict (a plain dict, as transformers saves it). */
    static byte[] stateDictPickle(Map<String, Tensor> tensors) {
        Pickle p = new Pickle().proto(2).emptyDict().mark();
        tensors.forEach((name, t) -> p.string(name).tensor(t));
        return p.setItems().stop().bytes();
    }

    /** The storages of the tensors, each once, in order of first use. */
    static List<Storage> storages(Map<String, Tensor> tensors) {
        Map<String, Storage> out = new LinkedHashMap<>();
        tensors.values().forEach(t -> out.putIfAbsent(t.storage().key(), t.storage()));
        return new ArrayList<>(out.values());
    }

    /** A whole {@code torch.save} archive of a state dict, record folder {@code archive}. */
    static byte[] archive(Map<String, Tensor> tensors) {
        return archive("archive", stateDictPickle(tensors), storages(tensors), null);
    }

    /** An archive of the given pickle and storages; {@code byteOrder} null writes no byteorder entry. */
    static byte[] archive(String record, byte[] pickle, List<Storage> storages, String byteOrder) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(record + "/data.pkl", pickle);
        if (byteOrder != null) {
            entries.put(record + "/byteorder", byteOrder.getBytes(StandardCharsets.US_ASCII));
        }
        for (Storage s : storages) {
            entries.put(record + "/data/" + s.key(), s.bytes());
        }
        entries.put(record + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zip(entries, ZipEntry.STORED);
    }

    /** A zip archive of the entries, all with the given method. */
    static byte[] zip(Map<String, byte[]> entries, int method) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(entry(e.getKey(), e.getValue().length, crc(e.getValue()), method));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Streams a state dict of random float32 tensors (uniform in [-1, 1), contiguous, one storage each) to {@code
     * path} in the {@code torch.save} format without holding the weights in memory: each storage is generated twice
     * from its own seed, once for its CRC-32 and once for its bytes.
     *
     * @return the sum of all values (float64), for checking what a reader sees
     */
    static double writeRandom(Path path, Map<String, long[]> shapes, long seed) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int key = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long numel = 1;
            for (long d : e.getValue()) {
                numel *= d;
            }
            Storage s = new Storage(Integer.toString(key++), "FloatStorage", numel, null);
            tensors.put(e.getKey(), Tensor.of(s, e.getValue()));
        }
        byte[] pickle = stateDictPickle(tensors);
        double sum = 0;
        try (ZipOutputStream zip =
                new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 20))) {
            zip.putNextEntry(entry("archive/data.pkl", pickle.length, crc(pickle), ZipEntry.STORED));
            zip.write(pickle);
            zip.closeEntry();
            byte[] version = "3\n".getBytes(StandardCharsets.US_ASCII);
            zip.putNextEntry(entry("archive/version", version.length, crc(version), ZipEntry.STORED));
            zip.write(version);
            zip.closeEntry();
            for (Tensor t : tensors.values()) {
                Storage s = t.storage();
                long storageSeed = seed * 1_000_003L + Long.parseLong(s.key());
                CRC32 crc = new CRC32();
                randomFloats(storageSeed, s.numel(), (chunk, len) -> crc.update(chunk, 0, len));
                zip.putNextEntry(entry("archive/data/" + s.key(), s.numel() * 4, crc.getValue(), ZipEntry.STORED));
                sum += randomFloats(storageSeed, s.numel(), (chunk, len) -> zip.write(chunk, 0, len));
                zip.closeEntry();
            }
        }
        return sum;
    }

    private interface ChunkSink {
        void accept(byte[] chunk, int length) throws IOException;
    }

    /** Generates {@code numel} little-endian floats in chunks; returns their float64 sum. */
    private static double randomFloats(long seed, long numel, ChunkSink sink) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        double sum = 0;
        long left = numel;
        while (left > 0) {
            int n = (int) Math.min(left, chunk.length / 4);
            for (int i = 0; i < n; i++) {
                float v = (float) (random.nextDouble() * 2 - 1);
                sum += v;
                buf.putFloat(i * 4, v);
            }
            sink.accept(chunk, n * 4);
            left -= n;
        }
        return sum;
    }

    private static ZipEntry entry(String name, long size, long crc, int method) {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(method);
        if (method == ZipEntry.STORED) {
            e.setSize(size);
            e.setCompressedSize(size);
            e.setCrc(crc);
        }
        return e;
    }

    static long crc(byte[] b) {
        CRC32 crc = new CRC32();
        crc.update(b);
        return crc.getValue();
    }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /** Writes bytes to a file (for tests that need a path). */
    static Path write(Path path, byte[] bytes) {
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }
}
