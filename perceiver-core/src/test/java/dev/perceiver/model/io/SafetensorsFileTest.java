package dev.perceiver.model.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** Builds file content from a header string (not padded) and raw data bytes. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length)
                .put(h)
                .put(data)
                .array();
    }

    static byte[] file(String header, int dataLength) {
        return file(header, new byte[dataLength]);
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static Map<String, TensorData> sampleTensors() {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put(
                "encoder.weight",
                TensorData.ofFloats(new long[] {2, 3}, new float[] {0.5f, -1f, 2.25f, 1e-8f, -0f, 3e38f}));
        tensors.put("ids", TensorData.ofLongs(new long[] {4}, new long[] {0, -1, Long.MAX_VALUE, 42}));
        tensors.put("mask", TensorData.ofBooleans(new long[] {1, 3}, new boolean[] {true, false, true}));
        tensors.put("scalar", TensorData.ofFloats(new long[0], new float[] {7f}));
        tensors.put("empty", TensorData.ofFloats(new long[] {0, 5}, new float[0]));
        return tensors;
    }

    private static Map<String, String> sampleMetadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("config", "{\"num_heads\": 4, \"name\": \"ünïcode ✓\"}");
        return metadata;
    }

    private static void assertSameTensors(SafetensorsFile read, Map<String, TensorData> expected) {
        assertThat(read.tensors().keySet()).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, TensorData> e : expected.entrySet()) {
            TensorData actual = read.get(e.getKey());
            assertThat(actual).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(actual.shape()).isEqualTo(e.getValue().shape());
        }
    }

    // ------------------------------------------------------------------------------------------
    // Round trips and known bytes

    @Test
    void roundTripThroughBytes() throws IOException {
        Map<String, TensorData> tensors = sampleTensors();
        SafetensorsFile read = SafetensorsFile.read(SafetensorsFile.toBytes(tensors, sampleMetadata()));
        assertSameTensors(read, tensors);
        assertThat(read.metadata()).containsExactlyInAnyOrderEntriesOf(sampleMetadata());
        assertThat(read.get("encoder.weight").toFloatArray()).containsExactly(0.5f, -1f, 2.25f, 1e-8f, -0f, 3e38f);
        assertThat(read.get("ids").toLongArray()).containsExactly(0, -1, Long.MAX_VALUE, 42);
        assertThat(read.get("mask").toBooleanArray()).containsExactly(true, false, true);
        assertThat(read.get("scalar").shape()).isEmpty();
        assertThat(read.get("empty").numel()).isZero();
        assertThat(read.source()).isEqualTo("<bytes>");
    }

    @Test
    void roundTripThroughFile() throws IOException {
        Path path = dir.resolve("model.safetensors");
        Map<String, TensorData> tensors = sampleTensors();
        SafetensorsFile.write(path, tensors, sampleMetadata());
        SafetensorsFile read = SafetensorsFile.read(path);
        assertSameTensors(read, tensors);
        assertThat(read.metadata()).isEqualTo(sampleMetadata());
        assertThat(Files.readAllBytes(path)).isEqualTo(SafetensorsFile.toBytes(tensors, sampleMetadata()));
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.collect(Collectors.toList())).containsExactly(path);
        }
    }

    @Test
    void mappedFileHasTheSameTensorsAsDirectViewsOfTheFile() throws IOException {
        Path path = dir.resolve("mapped.safetensors");
        Map<String, TensorData> tensors = sampleTensors();
        SafetensorsFile.write(path, tensors, sampleMetadata());
        SafetensorsFile mapped = SafetensorsFile.map(path);
        assertSameTensors(mapped, tensors);
        assertThat(mapped.metadata()).isEqualTo(sampleMetadata());
        assertThat(mapped.source()).isEqualTo(path.toString());
        assertThat(mapped.get("encoder.weight").data().isDirect()).isTrue();
        assertThat(mapped.get("encoder.weight").data().isReadOnly()).isTrue();
        assertThat(mapped.get("ids").toLongArray()).containsExactly(0, -1, Long.MAX_VALUE, 42);
    }

    @Test
    void mappingInSmallRegionsKeepsEveryTensorWhole() throws IOException {
        Path path = dir.resolve("regions.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("empty_first", TensorData.ofFloats(new long[] {0}, new float[0]));
        tensors.putAll(sampleTensors()); // 24, 32, 3, 4 and 0 bytes
        tensors.put("big", TensorData.ofFloats(new long[] {10}, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
        tensors.put("empty_last", TensorData.ofLongs(new long[] {0, 2}, new long[0]));
        SafetensorsFile.write(path, tensors, null);
        // regions of at most 1, 16 and 40 bytes: tensors larger than a region, several tensors per region
        for (long segment : new long[] {1, 16, 40, SafetensorsFile.MAP_SEGMENT}) {
            assertSameTensors(SafetensorsFile.map(path, segment), tensors);
        }
    }

    @Test
    void openedFileReadsTheSameTensorsFromTheFileOnDemand() throws IOException {
        Path path = dir.resolve("opened.safetensors");
        Map<String, TensorData> tensors = sampleTensors();
        SafetensorsFile.write(path, tensors, sampleMetadata());
        try (SafetensorsFile.Reader file = SafetensorsFile.open(path)) {
            assertThat(file.source()).isEqualTo(path.toString());
            assertThat(file.metadata()).isEqualTo(sampleMetadata());
            Map<String, TensorSource> opened = file.tensors();
            assertThat(opened.keySet()).containsExactlyElementsOf(tensors.keySet());
            for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
                TensorSource t = opened.get(e.getKey());
                assertThat(t.dtype()).as(e.getKey()).isEqualTo(e.getValue().dtype());
                assertThat(t.shape()).as(e.getKey()).isEqualTo(e.getValue().shape());
                assertThat(t.byteSize()).as(e.getKey()).isEqualTo(e.getValue().byteSize());
                ByteBuffer all = ByteBuffer.allocate((int) t.byteSize());
                t.read(0, all);
                assertThat(all.hasRemaining()).isFalse();
                assertThat(all.flip()).as(e.getKey()).isEqualTo(e.getValue().data());
            }
            // a piece from the middle, into a direct buffer
            TensorSource w = opened.get("encoder.weight");
            ByteBuffer piece = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
            w.read(8, piece);
            assertThat(piece.getFloat(0)).isEqualTo(2.25f);
            assertThat(piece.getFloat(4)).isEqualTo(1e-8f);
            assertThatThrownBy(() -> w.read(20, ByteBuffer.allocate(8)))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessage("bytes [20, 28) of a tensor of 24 bytes");
            assertThatThrownBy(() -> w.read(-1, ByteBuffer.allocate(1))).isInstanceOf(IndexOutOfBoundsException.class);
            file.close();
            assertThatThrownBy(() -> w.read(0, ByteBuffer.allocate(4))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aFileTruncatedAfterOpeningFailsToReadWithAMessageNamingIt() throws IOException {
        Path path = dir.resolve("shrinking.safetensors");
        SafetensorsFile.write(path, sampleTensors(), null);
        try (SafetensorsFile.Reader file = SafetensorsFile.open(path)) {
            byte[] bytes = Files.readAllBytes(path);
            Files.write(path, Arrays.copyOf(bytes, bytes.length - 40)); // in place: the open file shrinks
            TensorSource ids = file.tensors().get("ids");
            assertThatThrownBy(() -> ids.read(0, ByteBuffer.allocate((int) ids.byteSize())))
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageStartingWith(path + ": unexpected end of file at byte ");
        }
    }

    @Test
    void writeReplacesExistingFile() throws IOException {
        Path path = dir.resolve("m.safetensors");
        SafetensorsFile.write(path, sampleTensors(), null);
        Map<String, TensorData> other = Map.of("x", TensorData.ofLongs(new long[] {1}, new long[] {5}));
        SafetensorsFile.write(path, other, Map.of());
        SafetensorsFile read = SafetensorsFile.read(path);
        assertThat(read.tensors()).containsOnlyKeys("x");
        assertThat(read.metadata()).isEmpty();
    }

    @Test
    void headerIsPaddedWithSpacesToMultipleOf8AndMetadataComesFirst() throws IOException {
        for (int nameLength = 1; nameLength <= 16; nameLength++) {
            Map<String, TensorData> tensors =
                    Map.of("n".repeat(nameLength), TensorData.ofFloats(new long[] {1}, new float[] {1f}));
            byte[] bytes = SafetensorsFile.toBytes(tensors, Map.of("k", "v"));
            long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertThat(n % 8).isZero();
            String header = new String(bytes, 8, (int) n, UTF_8);
            assertThat(header).startsWith("{\"__metadata__\":{\"k\":\"v\"},");
            assertThat(header.stripTrailing()).endsWith("}");
            assertThat(header.substring(header.stripTrailing().length())).matches(" {0,7}");
            assertThat(bytes.length).isEqualTo(8 + n + 4);
            assertThat(SafetensorsFile.read(bytes).get("n".repeat(nameLength)).toFloatArray())
                    .containsExactly(1f);
        }
    }

    /** Byte-exact outputs from the unit tests of the reference Rust implementation. */
    @Test
    void matchesReferenceSerialization() throws IOException {
        assertThat(SafetensorsFile.toBytes(Map.of(), null))
                .containsExactly(bytes(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32));
        assertThat(SafetensorsFile.toBytes(Map.of(), Map.of("framework", "pt")))
                .containsExactly(bytes(
                        40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58,
                        123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32,
                        32, 32, 32));
        TensorData attn = TensorData.ofFloats(new long[] {1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5});
        assertThat(SafetensorsFile.toBytes(Map.of("attn.0", attn), null))
                .containsExactly(bytes(
                        64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121,
                        112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50,
                        44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44,
                        50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
                        160, 64));
        assertThat(SafetensorsFile.read(SafetensorsFile.toBytes(Map.of(), null)).tensors())
                .isEmpty();
    }

    @Test
    void readsHandWrittenFile() throws IOException {
        // Tensors listed out of offset order, an unknown extra field, metadata in the middle.
        String header = "{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":{\"a\":[1]}},"
                + "\"__metadata__\":{\"format\":\"pt\"},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[20,22]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[22,24]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[24,27]},"
                + "\"s\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[27,28]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[28,36]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[36,44]},"
                + "\"w\":{\"dtype\":\"I16\",\"shape\":[1,1],\"data_offsets\":[44,46]}}   ";
        byte[] data = bytes(
                0x00,
                0x00,
                0xC0,
                0x3F, /* 1.5f */
                0x00,
                0x00,
                0x00,
                0xC0, /* -2f */
                0x07,
                0x00,
                0x00,
                0x00, /* 7 */
                0xFF,
                0xFF,
                0xFF,
                0xFF, /* -1 */
                0x00,
                0x3C, /* half 1.0 */
                0x00,
                0xB8, /* half -0.5 */
                0x40,
                0x40, /* bf16 3.0 */
                0xC8,
                0x01, /* 200, 1 */
                0x01,
                0x00,
                0x01, /* true false true */
                0xFD, /* -3 */
                0x00,
                0x00,
                0x00,
                0x00,
                0x00,
                0x00,
                0xD0,
                0x3F, /* 0.25 */
                0x00,
                0x00,
                0x00,
                0x00,
                0x00,
                0x01,
                0x00,
                0x00, /* 2^40 */
                0xFE,
                0xFF /* -2 */);
        Path path = dir.resolve("hand.safetensors");
        Files.write(path, file(header, data));

        SafetensorsFile st = SafetensorsFile.read(path);
        assertThat(st.tensors().keySet()).containsExactly("f", "i", "h", "bf", "u", "m", "s", "d", "l", "w");
        assertThat(st.metadata()).containsExactly(Map.entry("format", "pt"));
        assertThat(st.get("f").toFloatArray()).containsExactly(1.5f, -2f);
        assertThat(st.get("i").toLongArray()).containsExactly(7, -1);
        assertThat(st.get("h").toFloatArray()).containsExactly(1f, -0.5f);
        assertThat(st.get("bf").toFloatArray()).containsExactly(3f);
        assertThat(st.get("u").toLongArray()).containsExactly(200, 1);
        assertThat(st.get("m").toBooleanArray()).containsExactly(true, false, true);
        assertThat(st.get("s").toLongArray()).containsExactly(-3);
        assertThat(st.get("d").toFloatArray()).containsExactly(0.25f);
        assertThat(st.get("l").toLongArray()).containsExactly(1L << 40);
        assertThat(st.get("l").shape()).isEmpty();
        assertThat(st.get("w").toLongArray()).containsExactly(-2);
        assertThat(st.get("w").shape()).containsExactly(1, 1);
        assertThat(st.contains("w")).isTrue();
        assertThat(st.contains("nope")).isFalse();
        assertThatThrownBy(() -> st.get("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no tensor 'nope' in " + path);
    }

    @Test
    void zeroSizedTensorsMayShareAnOffset() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"c\":{\"dtype\":\"I64\",\"shape\":[3,0],\"data_offsets\":[1,1]},"
                + "\"d\":{\"dtype\":\"F16\",\"shape\":[0],\"data_offsets\":[1,1]}}";
        SafetensorsFile st = SafetensorsFile.read(file(header, bytes(9)));
        assertThat(st.tensors().keySet()).containsExactly("a", "b", "c", "d");
        assertThat(st.get("b").toLongArray()).containsExactly(9);
    }

    @Test
    void nullMetadataIsEmpty() throws IOException {
        SafetensorsFile st = SafetensorsFile.read(file("{\"__metadata__\":null}", 0));
        assertThat(st.metadata()).isEmpty();
        assertThat(st.tensors()).isEmpty();
    }

    @Test
    void returnedCollectionsDoNotExposeInternalState() throws IOException {
        SafetensorsFile st = SafetensorsFile.read(SafetensorsFile.toBytes(sampleTensors(), sampleMetadata()));
        st.tensors().clear();
        assertThat(st.tensors()).hasSize(5);
        assertThatThrownBy(() -> st.metadata().put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readCopiesTheInputArray() throws IOException {
        byte[] bytes = SafetensorsFile.toBytes(sampleTensors(), null);
        SafetensorsFile st = SafetensorsFile.read(bytes);
        Arrays.fill(bytes, (byte) 0x55);
        assertSameTensors(st, sampleTensors());
    }

    @Test
    void writeRejectsInvalidArguments() {
        TensorData t = TensorData.ofFloats(new long[] {1}, new float[] {1});
        assertThatThrownBy(() -> SafetensorsFile.toBytes(Map.of("__metadata__", t), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThatThrownBy(() -> SafetensorsFile.toBytes(Map.of("a", t), nullValue))
                .isInstanceOf(IllegalArgumentException.class);
        Map<String, TensorData> nullTensor = new LinkedHashMap<>();
        nullTensor.put("a", null);
        assertThatThrownBy(() -> SafetensorsFile.write(dir.resolve("x"), nullTensor, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a'");
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void namesAndMetadataWithSpecialCharactersRoundTrip() throws IOException {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("quote\"back\\slash\nnewline ✓ 日本", TensorData.ofLongs(new long[] {1}, new long[] {1}));
        tensors.put("", TensorData.ofLongs(new long[] {1}, new long[] {2}));
        Map<String, String> metadata = Map.of("\u0000ctl\t", "😀 \u2028");
        SafetensorsFile st = SafetensorsFile.read(SafetensorsFile.toBytes(tensors, metadata));
        assertSameTensors(st, tensors);
        assertThat(st.metadata()).isEqualTo(metadata);
    }

    // ------------------------------------------------------------------------------------------
    // Reference fixture written by Python

    private static Path fixture() throws URISyntaxException {
        return Path.of(SafetensorsFileTest.class
                .getResource("/fixtures/mha_cross.safetensors")
                .toURI());
    }

    @Test
    void readsPythonFixture() throws Exception {
        SafetensorsFile st = SafetensorsFile.read(fixture());
        assertThat(st.tensors().keySet())
                .containsExactly(
                        "param.q_proj.weight",
                        "param.q_proj.bias",
                        "param.k_proj.weight",
                        "param.k_proj.bias",
                        "param.v_proj.weight",
                        "param.v_proj.bias",
                        "param.o_proj.weight",
                        "param.o_proj.bias",
                        "input.x_q",
                        "input.x_kv",
                        "input.pad_mask",
                        "output.last_hidden_state");
        TensorData q = st.get("param.q_proj.weight");
        assertThat(q.dtype()).isEqualTo("F32");
        assertThat(q.shape()).containsExactly(16, 12);
        assertThat(Arrays.copyOf(q.toFloatArray(), 4))
                .containsExactly(
                        -0.45767879486083984f, -0.2250695526599884f, -0.19619427621364594f, -0.4828454554080963f);
        TensorData out = st.get("output.last_hidden_state");
        assertThat(out.shape()).containsExactly(2, 5, 14);
        assertThat(Arrays.copyOf(out.toFloatArray(), 4))
                .containsExactly(
                        -0.42924967408180237f, -0.21131661534309387f, 0.6205072999000549f, 0.2042062133550644f);
        TensorData mask = st.get("input.pad_mask");
        assertThat(mask.dtype()).isEqualTo("BOOL");
        assertThat(mask.shape()).containsExactly(2, 7);
        boolean[] expectedMask = new boolean[14];
        expectedMask[12] = true;
        expectedMask[13] = true;
        assertThat(mask.toBooleanArray()).containsExactly(expectedMask);
        assertThat(st.metadata()).containsOnlyKeys("case");
        assertThat(st.metadata().get("case")).contains("\"case\": \"MultiHeadAttention, cross, pad mask\"");
    }

    @Test
    void rewritingPythonFixtureKeepsItsDataSection() throws Exception {
        byte[] original = Files.readAllBytes(fixture());
        SafetensorsFile st = SafetensorsFile.read(original);
        byte[] rewritten = SafetensorsFile.toBytes(st.tensors(), st.metadata());
        SafetensorsFile again = SafetensorsFile.read(rewritten);
        assertSameTensors(again, st.tensors());
        assertThat(again.metadata()).isEqualTo(st.metadata());
        long n1 = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        long n2 = ByteBuffer.wrap(rewritten).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(n1 % 8).isZero();
        assertThat(Arrays.copyOfRange(rewritten, (int) (8 + n2), rewritten.length))
                .isEqualTo(Arrays.copyOfRange(original, (int) (8 + n1), original.length));
    }

    // ------------------------------------------------------------------------------------------
    // Malformed input

    private static final String F32_2X2 = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("empty input", new byte[0], "too short: 0 bytes"),
                Arguments.of("7 bytes", new byte[7], "too short: 7 bytes"),
                Arguments.of(
                        "header length larger than file",
                        Arrays.copyOf(file(F32_2X2, 16), 30),
                        "is larger than the 22 bytes that follow it"),
                Arguments.of(
                        "absurd header length",
                        ByteBuffer.allocate(64)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .putLong(100_000_001L)
                                .array(),
                        "header length 100000001 exceeds the limit of 100000000 bytes"),
                Arguments.of(
                        "header length with top bit set",
                        bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, '{', '}'),
                        "header length 18446744073709551615 exceeds the limit"),
                Arguments.of("invalid JSON", file("{\"w\":{\"dtype\":", 0), "header is not valid JSON"),
                Arguments.of("not JSON at all", file("hello world", 0), "header is not valid JSON"),
                Arguments.of("trailing comma", file("{\"__metadata__\":{},}", 0), "header is not valid JSON"),
                Arguments.of("comment", file("{/*x*/}", 0), "header is not valid JSON"),
                Arguments.of("array header", file("[1,2]", 0), "header is not a JSON object (found an array)"),
                Arguments.of("string header", file("\"x\"", 0), "header is not a JSON object (found a string)"),
                Arguments.of("empty header", file("", 0), "header is not a JSON object (it is empty)"),
                Arguments.of("blank header", file("        ", 0), "header is not a JSON object (it is empty)"),
                Arguments.of("two objects", file("{} {}", 0), "unexpected content after the JSON object"),
                Arguments.of(
                        "entry is a number",
                        file("{\"a\":1}", 0),
                        "tensor 'a': entry must be a JSON object, found a number"),
                Arguments.of("NUL padding", file("{}\u0000\u0000", 0), "header is not valid JSON"),
                Arguments.of(
                        "entry not object",
                        file("{\"w\":[1]}", 0),
                        "tensor 'w': entry must be a JSON object, found an array"),
                Arguments.of(
                        "unknown dtype",
                        file("{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                        "tensor 'w' has unknown dtype 'F33' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)"),
                Arguments.of(
                        "dtype not string",
                        file("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                        "tensor 'w': dtype must be a string, found a number"),
                Arguments.of(
                        "missing dtype",
                        file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                        "tensor 'w' has no 'dtype'"),
                Arguments.of(
                        "missing shape",
                        file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
                        "tensor 'w' has no 'shape'"),
                Arguments.of(
                        "missing data_offsets",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
                        "tensor 'w' has no 'data_offsets'"),
                Arguments.of(
                        "negative shape",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-2],\"data_offsets\":[0,16]}}", 16),
                        "tensor 'w': shape entry -2 is negative"),
                Arguments.of(
                        "non-integer shape",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,10]}}", 10),
                        "tensor 'w': shape entry 2.5 is not an integer"),
                Arguments.of(
                        "integral float shape",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8),
                        "tensor 'w': shape entry 2.0 is not an integer"),
                Arguments.of(
                        "string shape entry",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8),
                        "tensor 'w': shape entries must be integers, found a string"),
                Arguments.of(
                        "shape not array",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8),
                        "tensor 'w': shape must be an array, found a number"),
                Arguments.of(
                        "huge shape entry",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8),
                        "tensor 'w': shape entry 99999999999999999999 is out of range"),
                Arguments.of(
                        "overflowing shape",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8),
                        "tensor 'w' shape [4294967296, 4294967296] of dtype F32 has too many elements"),
                Arguments.of(
                        "element count times dtype size overflows",
                        file("{\"w\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}", 8),
                        "has too many elements"),
                Arguments.of(
                        "too many dimensions",
                        file(
                                "{\"w\":{\"dtype\":\"U8\",\"shape\":[" + "1,".repeat(1100)
                                        + "1],\"data_offsets\":[0,1]}}",
                                1),
                        "tensor 'w': shape has more than 1024 entries"),
                Arguments.of(
                        "data_offsets size mismatch",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12),
                        "tensor 'w' data_offsets [0, 12] do not match dtype F32 and shape [2, 2] (16 bytes)"),
                Arguments.of(
                        "data_offsets reversed",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
                        "tensor 'w' data_offsets [8, 0] end before they begin"),
                Arguments.of(
                        "data_offsets with one entry",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", 4),
                        "tensor 'w': data_offsets must have 2 entries [begin, end], found 1"),
                Arguments.of(
                        "data_offsets with three entries",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
                        "tensor 'w': data_offsets has more than 2 entries"),
                Arguments.of(
                        "negative data_offsets",
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4),
                        "tensor 'w': data_offsets entry -4 is negative"),
                Arguments.of(
                        "data_offsets out of range (truncated data)",
                        file(F32_2X2, 12),
                        "tensor 'w' data_offsets [0, 16] extend past the end of the data section (12 bytes; is the file truncated?)"),
                Arguments.of(
                        "data_offsets far out of range",
                        file(
                                "{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[9223372036854775800,9223372036854775804]}}",
                                4),
                        "extend past the end of the data section"),
                Arguments.of(
                        "overlapping tensors",
                        file(
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                                12),
                        "tensor 'b' data_offsets [4, 12] overlap tensor 'a' data_offsets [0, 8]"),
                Arguments.of(
                        "identical offsets",
                        file(
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                        + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                                8),
                        "tensor 'b' data_offsets [0, 8] overlap tensor 'a' data_offsets [0, 8]"),
                Arguments.of(
                        "gap between tensors",
                        file(
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                                12),
                        "gap of 4 bytes between tensor 'a' data_offsets [0, 4] and tensor 'b' data_offsets [8, 12]"),
                Arguments.of(
                        "first tensor not at 0",
                        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                        "tensor 'a' data_offsets [4, 8] leave a gap at the start of the data section"),
                Arguments.of(
                        "trailing garbage",
                        file(F32_2X2, 20),
                        "data section is 20 bytes but the tensors cover only 16 (4 unexpected trailing bytes)"),
                Arguments.of(
                        "data without tensors",
                        file("{}", 3),
                        "data section is 3 bytes but the tensors cover only 0 (3 unexpected trailing bytes)"),
                Arguments.of(
                        "duplicate names",
                        file(
                                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                                8),
                        "duplicate tensor name 'w' in the header"),
                Arguments.of(
                        "duplicate field",
                        file("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                        "tensor 'w': duplicate field 'dtype'"),
                Arguments.of(
                        "duplicate metadata",
                        file("{\"__metadata__\":{},\"__metadata__\":{}}", 0),
                        "more than one '__metadata__' entry"),
                Arguments.of(
                        "metadata not an object",
                        file("{\"__metadata__\":[\"a\"]}", 0),
                        "'__metadata__' must be a JSON object of strings, found an array"),
                Arguments.of(
                        "metadata value not a string",
                        file("{\"__metadata__\":{\"epoch\":3}}", 0),
                        "'__metadata__' value for key 'epoch' must be a string, found a number"),
                Arguments.of(
                        "duplicate metadata key",
                        file("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0),
                        "duplicate key 'a' in '__metadata__'"),
                Arguments.of(
                        "deep nesting",
                        file("{\"w\":{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}}", 0),
                        "header is not valid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedInputGivesHelpfulFormatException(String description, byte[] content, String expected) {
        assertThatThrownBy(() -> SafetensorsFile.read(content))
                .as(description)
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith("<bytes>: ")
                .hasMessageContaining(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFileGivesTheSameMessageWhenMappedOrOpened(String description, byte[] content, String expected)
            throws IOException {
        Path path = dir.resolve("malformed.safetensors");
        Files.write(path, content);
        String fromBytes = "";
        try {
            SafetensorsFile.read(content);
        } catch (SafetensorsFormatException e) {
            fromBytes = e.getMessage().substring("<bytes>".length());
        }
        assertThatThrownBy(() -> SafetensorsFile.map(path))
                .as(description)
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(path + fromBytes);
        assertThatThrownBy(() -> SafetensorsFile.open(path))
                .as(description)
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(path + fromBytes);
    }

    @Test
    void invalidUtf8IsReported() {
        byte[] content = file("{\"aX\":null}", 0);
        content[10] = (byte) 0xC3; // a lone UTF-8 lead byte followed by '"'
        assertThatThrownBy(() -> SafetensorsFile.read(content))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage("<bytes>: header is not valid UTF-8 (bad byte at header offset 2)");
    }

    /** Reads a file into memory, maps it, or opens it (and closes it again). */
    interface FileReader {
        Object open(Path path) throws IOException;
    }

    static Stream<Arguments> fileReaders() {
        FileReader open = path -> {
            try (SafetensorsFile.Reader file = SafetensorsFile.open(path)) {
                return file.tensors();
            }
        };
        return Stream.of(
                Arguments.of("read", (FileReader) SafetensorsFile::read),
                Arguments.of("map", (FileReader) SafetensorsFile::map),
                Arguments.of("open", open));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileReaders")
    void fileErrorsNameTheFile(String name, FileReader reader) throws IOException {
        Path path = dir.resolve("model.safetensors");
        Files.write(path, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12));
        assertThatThrownBy(() -> reader.open(path))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(
                        path + ": tensor 'w' data_offsets [0, 12] do not match dtype F32 and shape [2, 2] (16 bytes)");

        byte[] valid = SafetensorsFile.toBytes(sampleTensors(), sampleMetadata());
        Files.write(path, Arrays.copyOf(valid, valid.length - 1));
        assertThatThrownBy(() -> reader.open(path))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(path + ": ")
                .hasMessageContaining("is the file truncated?");

        Files.write(path, new byte[3]);
        assertThatThrownBy(() -> reader.open(path))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(path + ": too short: 3 bytes, but a safetensors file starts with an 8-byte header length");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileReaders")
    void missingFileIsAnIOException(String name, FileReader reader) {
        assertThatThrownBy(() -> reader.open(dir.resolve("absent.safetensors")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("absent.safetensors");
    }

    @Test
    void hugeDeclaredHeaderDoesNotAllocate() {
        // Header length just under the limit but the file is tiny: must fail before allocating.
        byte[] content = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(99_999_999L)
                .array();
        assertThatThrownBy(() -> SafetensorsFile.read(content))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("header length 99999999 is larger than the 8 bytes that follow it");
    }

    // ------------------------------------------------------------------------------------------
    // Randomized robustness

    private static void readExpectingOnlyFormatErrors(byte[] content, boolean mustFail) {
        try {
            SafetensorsFile.read(content);
            if (mustFail) {
                fail("expected a SafetensorsFormatException for "
                        + HexFormat.of().formatHex(content));
            }
        } catch (SafetensorsFormatException e) {
            assertThat(e.getMessage()).startsWith("<bytes>: ");
        } catch (Throwable t) {
            throw new AssertionError(
                    "unexpected " + t + " for input " + HexFormat.of().formatHex(content), t);
        }
    }

    @Test
    void everyTruncationFailsCleanly() {
        byte[] valid = SafetensorsFile.toBytes(sampleTensors(), sampleMetadata());
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int len = 0; len < valid.length; len++) {
                readExpectingOnlyFormatErrors(Arrays.copyOf(valid, len), true);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileReaders")
    void everyTruncatedFileFailsCleanly(String name, FileReader reader) throws IOException {
        byte[] valid = SafetensorsFile.toBytes(sampleTensors(), null);
        Path path = dir.resolve("t.safetensors");
        for (int len = 0; len < valid.length; len += 7) {
            Files.write(path, Arrays.copyOf(valid, len));
            assertThatThrownBy(() -> reader.open(path))
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageStartingWith(path + ": ");
        }
    }

    @Test
    void randomHeaderCorruptionNeverEscapesAsAnythingButFormatException() {
        byte[] valid = SafetensorsFile.toBytes(sampleTensors(), sampleMetadata());
        int headerEnd =
                8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] jsonChars = "0123456789-+.eE,:[]{}\"\\ nulltrue".getBytes(UTF_8);
        Random random = new Random(20240611L);
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int iter = 0; iter < 20_000; iter++) {
                byte[] content = valid.clone();
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    int mode = random.nextInt(4);
                    if (mode == 0) {
                        // Anywhere in the length prefix or header: flip one bit.
                        int pos = random.nextInt(headerEnd);
                        content[pos] ^= (byte) (1 << random.nextInt(8));
                    } else if (mode == 1) {
                        // A random byte in the header.
                        content[8 + random.nextInt(headerEnd - 8)] = (byte) random.nextInt(256);
                    } else {
                        // A JSON-significant character, which tends to keep the header parseable.
                        content[8 + random.nextInt(headerEnd - 8)] = jsonChars[random.nextInt(jsonChars.length)];
                    }
                }
                readExpectingOnlyFormatErrors(content, false);
            }
        });
    }

    @Test
    void randomGarbageNeverEscapesAsAnythingButFormatException() {
        Random random = new Random(7L);
        for (int iter = 0; iter < 5_000; iter++) {
            byte[] content = new byte[random.nextInt(200)];
            random.nextBytes(content);
            if (content.length >= 8 && random.nextBoolean()) {
                // Plausible header length so the JSON parser gets exercised.
                ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN).putLong(0, random.nextInt(content.length - 7));
                content[8 % content.length] = '{';
            }
            readExpectingOnlyFormatErrors(content, false);
        }
    }

    @Test
    void dataCorruptionDoesNotAffectParsing() throws IOException {
        Map<String, TensorData> tensors = sampleTensors();
        byte[] valid = SafetensorsFile.toBytes(tensors, null);
        int headerEnd =
                8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Random random = new Random(3L);
        for (int iter = 0; iter < 200; iter++) {
            byte[] content = valid.clone();
            content[headerEnd + random.nextInt(content.length - headerEnd)] ^= (byte) (1 + random.nextInt(255));
            SafetensorsFile st = SafetensorsFile.read(content);
            assertThat(st.tensors().keySet()).containsExactlyElementsOf(tensors.keySet());
            List<Boolean> same = tensors.keySet().stream()
                    .map(k -> st.get(k).equals(tensors.get(k)))
                    .collect(Collectors.toList());
            assertThat(same).containsOnlyOnce(false);
        }
    }
}
