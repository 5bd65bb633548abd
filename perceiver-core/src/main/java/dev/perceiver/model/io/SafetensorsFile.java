package dev.perceiver.model.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A safetensors file held in memory ({@link #read}) or memory-mapped ({@link #map}): its tensors (in order of data
 * offset) and its optional {@code __metadata__} string map. {@link #open} validates a file the same way and reads its
 * tensors only when asked, into the caller's buffers.
 *
 * <p>Format: an 8-byte little-endian unsigned header length {@code N}, {@code N} bytes of UTF-8
 * JSON mapping tensor names to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets
 * relative to the data section that follows the header), then the raw little-endian data.
 *
 * <p>Reading validates like the Python/Rust {@code safetensors} library: the header is at most
 * 100,000,000 bytes, tensors must tile the data section exactly (starting at 0, no gaps, no
 * overlaps, and the last tensor must end where the file ends), and each tensor's byte range must
 * match its dtype and shape. Every violation is reported as a {@link SafetensorsFormatException}
 * whose message names the source and the problem. Nothing is allocated beyond what the actual
 * input size justifies, so malformed input cannot cause huge allocations.
 */
public final class SafetensorsFile {

    /** The header size limit of the reference implementation, in bytes. */
    public static final long MAX_HEADER_SIZE = 100_000_000L;

    /** Reserved header key holding the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /** The source name used in messages for {@link #read(byte[])}. */
    static final String BYTES_SOURCE = "<bytes>";

    /** More dimensions than any real tensor has; bounds the memory a hostile header can claim. */
    static final int MAX_RANK = 1024;

    /** Largest Java array / heap buffer the JVM reliably allocates. */
    static final int MAX_BUFFER = Integer.MAX_VALUE - 8;

    private static final int READ_CHUNK = 1 << 20;

    /** Largest region {@link #map} maps at once; a bigger tensor (up to {@link #MAX_BUFFER}) gets its own. */
    static final long MAP_SEGMENT = 1L << 30;

    private static final JsonFactory JSON = JsonFactory.builder()
            // Do not intern or canonicalize attacker-controlled names (symbol table hash flooding).
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength((int) MAX_HEADER_SIZE)
                    .maxNameLength((int) MAX_HEADER_SIZE)
                    .maxNestingDepth(1000)
                    .maxNumberLength(1000)
                    .build())
            .build();

    private final String source;
    private final LinkedHashMap<String, TensorData> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(String source, LinkedHashMap<String, TensorData> tensors, Map<String, String> metadata) {
        this.source = source;
        this.tensors = tensors;
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Reads and validates a whole safetensors file into heap memory (no memory mapping, so the file
     * can be replaced or deleted right after).
     *
     * @param path the file
     * @return the parsed file
     * @throws SafetensorsFormatException if the content is malformed (the message names the path)
     * @throws IOException if the file cannot be read
     */
    public static SafetensorsFile read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        String source = path.toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ChannelInput input = new ChannelInput(source, channel);
            Layout layout = parse(source, input);
            return new SafetensorsFile(source, layout.read(input), layout.metadata);
        }
    }

    /**
     * Validates a safetensors file like {@link #read(Path)} and maps its data section read-only instead of reading
     * it: each tensor's {@link TensorData#data()} is a direct view of the file, so creating an engine array from it
     * copies the bytes once, from the page cache. The header is validated before anything is mapped.
     *
     * <p>The mapping lives until the tensors are garbage-collected. Meanwhile the file must not be truncated or
     * written in place (reading a truncated mapping crashes the JVM); replacing it by rename, as
     * {@link AtomicFiles#write} does, is safe on Linux and macOS (on Windows a mapped file cannot be replaced).
     *
     * @param path the file
     * @return the parsed file, its tensors backed by the mapping
     * @throws SafetensorsFormatException if the content is malformed (the message names the path)
     * @throws IOException if the file cannot be read or mapped
     */
    public static SafetensorsFile map(Path path) throws IOException {
        return map(path, MAP_SEGMENT);
    }

    /** {@link #map(Path)} with regions of at most {@code segment} bytes (tests use small ones). */
    static SafetensorsFile map(Path path, long segment) throws IOException {
        Objects.requireNonNull(path, "path");
        String source = path.toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            Layout layout = parse(source, new ChannelInput(source, channel));
            return new SafetensorsFile(source, layout.map(channel, segment), layout.metadata);
        }
    }

    /**
     * Validates a safetensors file like {@link #read(Path)} and keeps it open instead of reading its data: each
     * tensor's bytes are read from the file when {@link TensorSource#read} asks for them, straight into the caller's
     * buffer (such as an engine array's memory). Loading from it holds the weights once: neither a heap copy nor
     * mapped pages stay behind. Reading after {@link Reader#close}, or past the end of a file truncated meanwhile, is
     * an {@link IOException}.
     *
     * @param path the file
     * @return the open file; close it when its tensors have been read
     * @throws SafetensorsFormatException if the header is malformed (the message names the path)
     * @throws IOException if the file cannot be read
     */
    public static Reader open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        String source = path.toString();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        boolean opened = false;
        try {
            ChannelInput input = new ChannelInput(source, channel);
            Layout layout = parse(source, input);
            Reader reader = new Reader(source, channel, layout.sources(input), layout.metadata);
            opened = true;
            return reader;
        } finally {
            if (!opened) {
                channel.close();
            }
        }
    }

    /**
     * Parses and validates safetensors content held in a byte array. The tensor data is copied, so
     * the array may be reused afterwards.
     *
     * @param bytes the complete file content
     * @return the parsed file
     * @throws SafetensorsFormatException if the content is malformed (the message names {@code
     *     <bytes>})
     */
    public static SafetensorsFile read(byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        ArrayInput input = new ArrayInput(bytes);
        Layout layout = parse(BYTES_SOURCE, input);
        return new SafetensorsFile(BYTES_SOURCE, layout.read(input), layout.metadata);
    }

    /**
     * Returns the tensors in order of their data offset. The returned map is a copy; the tensors
     * themselves are immutable.
     *
     * @return name to tensor, ordered by data offset
     */
    public LinkedHashMap<String, TensorData> tensors() {
        return new LinkedHashMap<>(tensors);
    }

    /**
     * Returns the {@code __metadata__} entries, or an empty map if the file has none.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Returns one tensor by name.
     *
     * @param name the tensor name
     * @return the tensor
     * @throws IllegalArgumentException {@code "no tensor 'x' in <source>"} if there is none
     */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor " + quote(name) + " in " + source);
        }
        return t;
    }

    /**
     * Tells whether a tensor of that name exists.
     *
     * @param name the tensor name
     * @return {@code true} if {@link #get(String)} would return it
     */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * Returns where this file was read from: the path as given, or {@code <bytes>}.
     *
     * @return the source name used in messages
     */
    public String source() {
        return source;
    }

    /** Describes the source and the tensor count. */
    @Override
    public String toString() {
        return "SafetensorsFile[" + source + ", " + tensors.size() + " tensors]";
    }

    /**
     * An open safetensors file ({@link #open}): its validated header, and tensors that read their bytes from the file
     * while it is open.
     */
    public static final class Reader implements Closeable {
        private final String source;
        private final FileChannel channel;
        private final LinkedHashMap<String, TensorSource> tensors;
        private final Map<String, String> metadata;

        private Reader(
                String source,
                FileChannel channel,
                LinkedHashMap<String, TensorSource> tensors,
                Map<String, String> metadata) {
            this.source = source;
            this.channel = channel;
            this.tensors = tensors;
            this.metadata = Collections.unmodifiableMap(metadata);
        }

        /** The tensors in order of data offset (a copy of the map); they read from the file until it is closed. */
        public LinkedHashMap<String, TensorSource> tensors() {
            return new LinkedHashMap<>(tensors);
        }

        /** The {@code __metadata__} entries, or an empty map. */
        public Map<String, String> metadata() {
            return metadata;
        }

        /** The path as given, for messages. */
        public String source() {
            return source;
        }

        /** Closes the file; the tensors' {@link TensorSource#read} fails from then on. */
        @Override
        public void close() throws IOException {
            channel.close();
        }

        /** Describes the source and the tensor count. */
        @Override
        public String toString() {
            return "SafetensorsFile.Reader[" + source + ", " + tensors.size() + " tensors]";
        }
    }

    /** A tensor of an open file: {@link #read} reads its bytes from the file each time. */
    private static final class FileTensor implements TensorSource {
        private final String dtype;
        private final long[] shape;
        private final long byteSize;
        /** Where its bytes start in the file. */
        private final long start;

        private final ChannelInput input;

        FileTensor(Entry e, long start, ChannelInput input) {
            this.dtype = e.dtype;
            this.shape = e.shape.clone();
            this.byteSize = e.byteSize;
            this.start = start;
            this.input = input;
        }

        @Override
        public String dtype() {
            return dtype;
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public long byteSize() {
            return byteSize;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            TensorData.checkRange(offset, dst.remaining(), byteSize);
            input.readFully(start + offset, dst);
        }

        @Override
        public String toString() {
            return "FileTensor[dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", bytes=" + byteSize + "]";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Writing

    /**
     * Writes tensors atomically (see {@link AtomicFiles#write}) in the layout of the Python library:
     * {@code __metadata__} first in the header, the header padded with spaces to a multiple of 8
     * bytes, and tensor data written contiguously in map order.
     *
     * @param path the file to create or replace
     * @param tensors the tensors, written in iteration order
     * @param metadata string metadata, or {@code null}/empty for none
     * @throws IllegalArgumentException if a name is null or {@code __metadata__}, or a metadata key
     *     or value is null
     * @throws IOException if the file cannot be written; an existing file is then left unchanged
     */
    public static void write(Path path, Map<String, TensorData> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(path, "path");
        List<TensorData> ordered = new ArrayList<>();
        byte[] header = header(tensors, metadata, ordered);
        AtomicFiles.write(path, out -> {
            byte[] len = new byte[8];
            ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len);
            out.write(header);
            byte[] chunk = new byte[64 * 1024];
            for (TensorData t : ordered) {
                writeBuffer(out, t.data(), chunk);
            }
        });
    }

    /**
     * Serializes tensors to a byte array in the same layout as {@link #write}.
     *
     * @param tensors the tensors, written in iteration order
     * @param metadata string metadata, or {@code null}/empty for none
     * @return the complete file content
     * @throws IllegalArgumentException if a name is invalid (see {@link #write}) or the result does
     *     not fit in a Java array
     */
    public static byte[] toBytes(Map<String, TensorData> tensors, Map<String, String> metadata) {
        List<TensorData> ordered = new ArrayList<>();
        byte[] header = header(tensors, metadata, ordered);
        long total = 8L + header.length;
        for (TensorData t : ordered) {
            total += t.byteSize();
        }
        if (total > MAX_BUFFER) {
            throw new IllegalArgumentException(
                    "safetensors content of " + total + " bytes does not fit in a byte array; use write()");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length);
        out.put(header);
        for (TensorData t : ordered) {
            out.put(t.data());
        }
        return out.array();
    }

    private static byte[] header(
            Map<String, TensorData> tensors, Map<String, String> metadata, List<TensorData> ordered) {
        Objects.requireNonNull(tensors, "tensors");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bos, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                g.writeFieldName(METADATA_KEY);
                g.writeStartObject();
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    if (e.getKey() == null || e.getValue() == null) {
                        throw new IllegalArgumentException(
                                "metadata key and value must not be null: " + e.getKey() + "=" + e.getValue());
                    }
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
                String name = e.getKey();
                TensorData t = e.getValue();
                if (name == null) {
                    throw new IllegalArgumentException("tensor name must not be null");
                }
                if (METADATA_KEY.equals(name)) {
                    throw new IllegalArgumentException(
                            "'" + METADATA_KEY + "' is reserved and cannot be a tensor name");
                }
                if (t == null) {
                    throw new IllegalArgumentException("tensor " + quote(name) + " is null");
                }
                g.writeFieldName(name);
                g.writeStartObject();
                g.writeStringField("dtype", t.dtype());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                offset += t.byteSize();
                g.writeNumber(offset);
                g.writeEndArray();
                g.writeEndObject();
                ordered.add(t);
            }
            g.writeEndObject();
        } catch (IOException e) {
            // Only possible for unencodable strings (such as unpaired surrogates) in names or metadata.
            throw new IllegalArgumentException("cannot encode the safetensors header: " + e.getMessage(), e);
        }
        int padding = (8 - bos.size() % 8) % 8;
        for (int i = 0; i < padding; i++) {
            bos.write(' ');
        }
        if (bos.size() > MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("safetensors header of "
                    + bos.size()
                    + " bytes exceeds the "
                    + MAX_HEADER_SIZE
                    + "-byte limit readers enforce");
        }
        return bos.toByteArray();
    }

    private static void writeBuffer(OutputStream out, ByteBuffer buf, byte[] chunk) throws IOException {
        while (buf.hasRemaining()) {
            int n = Math.min(chunk.length, buf.remaining());
            buf.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    /** Random-access view of the input (a file or a byte array). */
    private interface Input {
        long size() throws IOException;

        /** Fills {@code dst} (from position to limit) with the bytes starting at {@code pos}. */
        void readFully(long pos, ByteBuffer dst) throws IOException;
    }

    private static final class ArrayInput implements Input {
        private final byte[] bytes;

        ArrayInput(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void readFully(long pos, ByteBuffer dst) {
            dst.put(bytes, (int) pos, dst.remaining());
        }
    }

    private static final class ChannelInput implements Input {
        private final String source;
        private final FileChannel channel;

        ChannelInput(String source, FileChannel channel) {
            this.source = source;
            this.channel = channel;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void readFully(long pos, ByteBuffer dst) throws IOException {
            // Read in bounded chunks: a heap buffer passed to FileChannel.read is staged through a
            // temporary direct buffer of the same size, which the JDK caches per thread.
            while (dst.hasRemaining()) {
                ByteBuffer window = dst.duplicate();
                window.limit(Math.min(dst.limit(), dst.position() + READ_CHUNK));
                int n = channel.read(window, pos);
                if (n < 0) {
                    throw new SafetensorsFormatException(source + ": unexpected end of file at byte " + pos
                            + " (was the file modified while" + " being read?)");
                }
                dst.position(dst.position() + n);
                pos += n;
            }
        }
    }

    /** One tensor entry of the header. */
    private static final class Entry {
        final String name;
        final int index;
        String dtype;
        long[] shape;
        long[] offsets;
        long byteSize;

        Entry(String name, int index) {
            this.name = name;
            this.index = index;
        }

        long begin() {
            return offsets[0];
        }

        long end() {
            return offsets[1];
        }

        String offsetsText() {
            return "data_offsets [" + offsets[0] + ", " + offsets[1] + "]";
        }
    }

    /** A validated header: where the data section starts and the tensors in order of their offsets. */
    private static final class Layout {
        final String source;
        final long dataStart;
        final List<Entry> ordered;
        final Map<String, String> metadata;

        Layout(String source, long dataStart, List<Entry> ordered, Map<String, String> metadata) {
            this.source = source;
            this.dataStart = dataStart;
            this.ordered = ordered;
            this.metadata = metadata;
        }

        /** Copies each tensor's bytes into a heap buffer of its own. */
        LinkedHashMap<String, TensorData> read(Input input) throws IOException {
            LinkedHashMap<String, TensorData> tensors = new LinkedHashMap<>();
            for (Entry e : ordered) {
                ByteBuffer buf = ByteBuffer.allocate((int) e.byteSize);
                input.readFully(dataStart + e.begin(), buf);
                buf.flip();
                put(tensors, e, buf);
            }
            return tensors;
        }

        /** The tensors as sources that read their bytes from {@code input} when asked. */
        LinkedHashMap<String, TensorSource> sources(ChannelInput input) {
            LinkedHashMap<String, TensorSource> out = new LinkedHashMap<>();
            for (Entry e : ordered) {
                out.put(e.name, new FileTensor(e, dataStart + e.begin(), input));
            }
            return out;
        }

        /**
         * Maps the data section read-only in regions of at most {@code segment} bytes (or one tensor, if larger),
         * whole tensors each, and views each tensor in its region.
         */
        LinkedHashMap<String, TensorData> map(FileChannel channel, long segment) throws IOException {
            LinkedHashMap<String, TensorData> tensors = new LinkedHashMap<>();
            MappedByteBuffer region = null;
            long regionBegin = 0;
            long regionEnd = -1;
            for (int i = 0; i < ordered.size(); i++) {
                Entry e = ordered.get(i);
                if (e.end() > regionEnd) {
                    regionBegin = e.begin();
                    regionEnd = e.end();
                    for (int j = i + 1; j < ordered.size() && ordered.get(j).end() - regionBegin <= segment; j++) {
                        regionEnd = ordered.get(j).end();
                    }
                    region = channel.map(
                            FileChannel.MapMode.READ_ONLY, dataStart + regionBegin, regionEnd - regionBegin);
                }
                put(tensors, e, region.slice((int) (e.begin() - regionBegin), (int) e.byteSize));
            }
            return tensors;
        }

        private void put(Map<String, TensorData> tensors, Entry e, ByteBuffer bytes) throws SafetensorsFormatException {
            try {
                tensors.put(e.name, new TensorData(e.dtype, e.shape, bytes));
            } catch (IllegalArgumentException ex) {
                throw fail(source, "tensor " + quote(e.name) + ": " + ex.getMessage(), ex);
            }
        }
    }

    private static Layout parse(String source, Input input) throws IOException {
        long size = input.size();
        if (size < 8) {
            throw fail(
                    source,
                    "too short: " + size + " bytes, but a safetensors file starts with an 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        input.readFully(0, lenBuf);
        long headerLen = lenBuf.getLong(0);
        if (headerLen < 0 || headerLen > MAX_HEADER_SIZE) {
            throw fail(
                    source,
                    "header length "
                            + Long.toUnsignedString(headerLen)
                            + " exceeds the limit of "
                            + MAX_HEADER_SIZE
                            + " bytes (not a safetensors file?)");
        }
        if (headerLen > size - 8) {
            throw fail(
                    source,
                    "header length "
                            + headerLen
                            + " is larger than the "
                            + (size - 8)
                            + " bytes that follow it (truncated or not a safetensors file?)");
        }
        byte[] headerBytes = new byte[(int) headerLen];
        input.readFully(8, ByteBuffer.wrap(headerBytes));
        String json = decodeUtf8(source, headerBytes);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = parseHeader(source, json, metadata);

        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        List<Entry> ordered = validate(source, entries, dataLen);
        return new Layout(source, dataStart, ordered, metadata);
    }

    private static String decodeUtf8(String source, byte[] bytes) throws SafetensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw fail(source, "header is not valid UTF-8 (bad byte at header offset " + in.position() + ")");
        }
        out.flip();
        return out.toString();
    }

    private static List<Entry> parseHeader(String source, String json, Map<String, String> metadata)
            throws SafetensorsFormatException {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw fail(
                        source,
                        "header is not a JSON object (" + (t == null ? "it is empty" : "found " + describe(t)) + ")");
            }
            boolean sawMetadata = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (METADATA_KEY.equals(name)) {
                    if (sawMetadata) {
                        throw fail(source, "header has more than one '" + METADATA_KEY + "' entry");
                    }
                    sawMetadata = true;
                    parseMetadata(source, p, value, metadata);
                } else {
                    if (!names.add(name)) {
                        throw fail(source, "duplicate tensor name " + quote(name) + " in the header");
                    }
                    entries.add(parseEntry(source, p, value, name, entries.size()));
                }
            }
            JsonToken extra = p.nextToken();
            if (extra != null) {
                throw fail(source, "header has unexpected content after the JSON object (" + describe(extra) + ")");
            }
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at header character " + loc.getCharOffset();
            throw fail(source, "header is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw fail(source, "cannot parse the header: " + e, e);
        }
        return entries;
    }

    private static void parseMetadata(String source, JsonParser p, JsonToken value, Map<String, String> metadata)
            throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_OBJECT) {
            throw fail(source, "'" + METADATA_KEY + "' must be a JSON object of strings, found " + describe(value));
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw fail(
                        source,
                        "'" + METADATA_KEY + "' value for key " + quote(key) + " must be a string, found "
                                + describe(v));
            }
            if (metadata.put(key, p.getText()) != null) {
                throw fail(source, "duplicate key " + quote(key) + " in '" + METADATA_KEY + "'");
            }
        }
    }

    private static Entry parseEntry(String source, JsonParser p, JsonToken value, String name, int index)
            throws IOException {
        String what = "tensor " + quote(name);
        if (value != JsonToken.START_OBJECT) {
            throw fail(source, what + ": entry must be a JSON object, found " + describe(value));
        }
        Entry e = new Entry(name, index);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype":
                    if (e.dtype != null) {
                        throw fail(source, what + ": duplicate field 'dtype'");
                    }
                    if (v != JsonToken.VALUE_STRING) {
                        throw fail(source, what + ": dtype must be a string, found " + describe(v));
                    }
                    e.dtype = p.getText();
                    break;
                case "shape":
                    if (e.shape != null) {
                        throw fail(source, what + ": duplicate field 'shape'");
                    }
                    e.shape = readLongs(source, p, v, what, "shape", MAX_RANK);
                    break;
                case "data_offsets":
                    if (e.offsets != null) {
                        throw fail(source, what + ": duplicate field 'data_offsets'");
                    }
                    e.offsets = readLongs(source, p, v, what, "data_offsets", 2);
                    if (e.offsets.length != 2) {
                        throw fail(
                                source,
                                what + ": data_offsets must have 2 entries [begin, end], found " + e.offsets.length);
                    }
                    break;
                default:
                    p.skipChildren(); // unknown fields are ignored, as in the reference implementation
                    break;
            }
        }
        if (e.dtype == null) {
            throw fail(source, what + " has no 'dtype'");
        }
        if (e.shape == null) {
            throw fail(source, what + " has no 'shape'");
        }
        if (e.offsets == null) {
            throw fail(source, what + " has no 'data_offsets'");
        }
        try {
            TensorData.bytesPerElement(e.dtype);
        } catch (IllegalArgumentException ex) {
            throw fail(
                    source,
                    what + " has unknown dtype " + quote(e.dtype) + " (supported: " + TensorData.SUPPORTED_DTYPES
                            + ")");
        }
        return e;
    }

    /** Reads an array of non-negative integers of at most {@code max} entries. */
    private static long[] readLongs(String source, JsonParser p, JsonToken value, String what, String field, int max)
            throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw fail(source, what + ": " + field + " must be an array, found " + describe(value));
        }
        long[] out = new long[4];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (n >= max) {
                throw fail(
                        source,
                        what + ": " + field + " has more than " + max + " entries"
                                + (max == 2 ? " (expected [begin, end])" : ""));
            }
            long v;
            if (t == JsonToken.VALUE_NUMBER_INT) {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw fail(source, what + ": " + field + " entry " + abbreviate(p.getText()) + " is out of range");
                }
                v = p.getLongValue();
                if (v < 0) {
                    throw fail(source, what + ": " + field + " entry " + v + " is negative");
                }
            } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                throw fail(source, what + ": " + field + " entry " + abbreviate(p.getText()) + " is not an integer");
            } else {
                throw fail(source, what + ": " + field + " entries must be integers, found " + describe(t));
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = v;
        }
        return Arrays.copyOf(out, n);
    }

    /** Checks sizes and that the tensors tile {@code [0, dataLen)}; returns them by offset. */
    private static List<Entry> validate(String source, List<Entry> entries, long dataLen)
            throws SafetensorsFormatException {
        for (Entry e : entries) {
            String what = "tensor " + quote(e.name);
            int bpe = TensorData.bytesPerElement(e.dtype);
            try {
                e.byteSize = Math.multiplyExact(TensorData.numel(e.shape), (long) bpe);
            } catch (IllegalArgumentException | ArithmeticException ex) {
                throw fail(
                        source,
                        what + " shape " + Arrays.toString(e.shape) + " of dtype " + e.dtype
                                + " has too many elements");
            }
            if (e.begin() > e.end()) {
                throw fail(source, what + " " + e.offsetsText() + " end before they begin");
            }
            if (e.end() - e.begin() != e.byteSize) {
                throw fail(
                        source,
                        what + " " + e.offsetsText() + " do not match dtype " + e.dtype + " and shape "
                                + Arrays.toString(e.shape) + " (" + e.byteSize + " bytes)");
            }
            if (e.end() > dataLen) {
                throw fail(
                        source,
                        what + " " + e.offsetsText() + " extend past the end of the data section (" + dataLen
                                + " bytes; is the file truncated?)");
            }
            if (e.byteSize > MAX_BUFFER) {
                throw fail(
                        source,
                        what + " has " + e.byteSize + " bytes, more than a Java buffer can hold (" + MAX_BUFFER + ")");
            }
        }
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparingLong(Entry::begin)
                .thenComparingLong(Entry::end)
                .thenComparingInt(e -> e.index));
        long pos = 0;
        Entry prev = null;
        for (Entry e : ordered) {
            if (e.begin() < pos) {
                throw fail(
                        source,
                        "tensor " + quote(e.name) + " " + e.offsetsText() + " overlap tensor " + quote(prev.name) + " "
                                + prev.offsetsText());
            }
            if (e.begin() > pos) {
                throw fail(
                        source,
                        prev == null
                                ? "tensor " + quote(e.name) + " " + e.offsetsText()
                                        + " leave a gap at the start of the data section"
                                        + " (the first tensor must begin at 0)"
                                : "gap of " + (e.begin() - pos) + " bytes between tensor " + quote(prev.name) + " "
                                        + prev.offsetsText() + " and tensor " + quote(e.name) + " " + e.offsetsText());
            }
            pos = e.end();
            prev = e;
        }
        if (pos != dataLen) {
            throw fail(
                    source,
                    "data section is " + dataLen + " bytes but the tensors cover only " + pos + " (" + (dataLen - pos)
                            + " unexpected trailing bytes)");
        }
        return ordered;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.asString() == null ? t.name() : "'" + t.asString() + "'";
        }
    }

    static String quote(String name) {
        return "'" + abbreviate(name) + "'";
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }

    private static SafetensorsFormatException fail(String source, String problem) {
        return new SafetensorsFormatException(source + ": " + problem);
    }

    private static SafetensorsFormatException fail(String source, String problem, Throwable cause) {
        return new SafetensorsFormatException(source + ": " + problem, cause);
    }
}
