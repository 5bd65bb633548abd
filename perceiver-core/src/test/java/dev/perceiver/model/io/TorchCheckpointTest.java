package dev.perceiver.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.perceiver.model.io.TorchFiles.Pickle;
import dev.perceiver.model.io.TorchFiles.Storage;
import dev.perceiver.model.io.TorchFiles.Tensor;
import java.io.IOException;
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
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code torch.save} files: dtypes, views of shared storages, and everything a hostile file may try. */
class TorchCheckpointTest {
    @TempDir
    Path dir;

    private static final Storage SHARED =
            Storage.floats("0", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("layer.weight", Tensor.of(Storage.floats("w", 1.5f, -2f, 3.25f, 4f, 5f, 6f), 2, 3));
        t.put("layer.bias", Tensor.of(Storage.floats("b", 0.5f, -0.5f), 2));
        t.put("position_ids", Tensor.of(Storage.longs("p", 0, 1, 2, 3), 1, 4));
        return t;
    }

    // ------------------------------------------------------------------------------------------
    // Reading what torch writes

    @Test
    void readsNamesShapesDtypesAndValuesInOrder() throws IOException {
        TorchCheckpoint ckpt = TorchCheckpoint.read(TorchFiles.archive(sample()));
        assertThat(ckpt.names()).containsExactly("layer.weight", "layer.bias", "position_ids");
        TensorData w = ckpt.get("layer.weight");
        assertThat(w.dtype()).isEqualTo("F32");
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 4f, 5f, 6f);
        assertThat(ckpt.get("position_ids").dtype()).isEqualTo("I64");
        assertThat(ckpt.get("position_ids").toLongArray()).containsExactly(0, 1, 2, 3);
        assertThat(ckpt.dtype("layer.bias")).isEqualTo("F32");
        assertThat(ckpt.shape("layer.bias")).containsExactly(2);
        assertThat(ckpt.tensors().keySet()).containsExactly("layer.weight", "layer.bias", "position_ids");
        assertThat(ckpt.tensors().get("layer.bias").toFloatArray()).containsExactly(0.5f, -0.5f);
        assertThat(ckpt.tensors().get("nope")).isNull();
        assertThat(ckpt.placeholders()).isEmpty();
        assertThatThrownBy(() -> ckpt.get("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no tensor 'nope' in <bytes>");
    }

    @Test
    void tensorsEqualTheSameStateDictWrittenAsSafetensors() throws IOException {
        Map<String, TensorData> expected = new LinkedHashMap<>();
        expected.put(
                "layer.weight", TensorData.ofFloats(new long[] {2, 3}, new float[] {1.5f, -2f, 3.25f, 4f, 5f, 6f}));
        expected.put("layer.bias", TensorData.ofFloats(new long[] {2}, new float[] {0.5f, -0.5f}));
        expected.put("position_ids", TensorData.ofLongs(new long[] {1, 4}, new long[] {0, 1, 2, 3}));
        Map<String, TensorData> viaTorch =
                TorchCheckpoint.read(TorchFiles.archive(sample())).tensors();
        Map<String, TensorData> viaSafetensors =
                SafetensorsFile.read(SafetensorsFile.toBytes(expected, null)).tensors();
        assertThat(viaTorch).isEqualTo(viaSafetensors).isEqualTo(expected);
    }

    @Test
    void everyStorageTypeIsReadAndHalfPrecisionIsWidenedToFloat32() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        ByteBuffer half = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        half.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x3555); // 1, -2, 0.33325195
        ByteBuffer bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        bf16.putShort((short) (Float.floatToIntBits(1.5f) >>> 16)).putShort((short) (Float.floatToIntBits(-3f) >>> 16));
        ByteBuffer f64 = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.1)
                .putDouble(-7);
        ByteBuffer i32 =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-5).putInt(1 << 30);
        ByteBuffer i16 = ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) -300)
                .putShort((short) 7);
        t.put("half", Tensor.of(Storage.raw("h", "HalfStorage", 2, half.array()), 3));
        t.put("bf16", Tensor.of(Storage.raw("bf", "BFloat16Storage", 2, bf16.array()), 2));
        t.put("f64", Tensor.of(Storage.raw("d", "DoubleStorage", 8, f64.array()), 2));
        t.put("i32", Tensor.of(Storage.raw("i", "IntStorage", 4, i32.array()), 2));
        t.put("i16", Tensor.of(Storage.raw("s", "ShortStorage", 2, i16.array()), 2));
        t.put("i8", Tensor.of(Storage.raw("c", "CharStorage", 1, new byte[] {-128, 127}), 2));
        t.put("u8", Tensor.of(Storage.raw("u", "ByteStorage", 1, new byte[] {(byte) 255, 1}), 2));
        t.put("bool", Tensor.of(Storage.raw("o", "BoolStorage", 1, new byte[] {1, 0, 1}), 3));
        TorchCheckpoint ckpt = TorchCheckpoint.read(TorchFiles.archive(t));
        assertThat(ckpt.get("half").dtype()).isEqualTo("F32");
        assertThat(ckpt.get("half").toFloatArray()).containsExactly(1f, -2f, 0.33325195f);
        assertThat(ckpt.get("bf16").dtype()).isEqualTo("F32");
        assertThat(ckpt.get("bf16").toFloatArray()).containsExactly(1.5f, -3f);
        assertThat(ckpt.get("f64").dtype()).isEqualTo("F64");
        assertThat(ckpt.get("f64").data().getDouble(0)).isEqualTo(0.1);
        assertThat(ckpt.get("i32").toLongArray()).containsExactly(-5, 1 << 30);
        assertThat(ckpt.get("i16").toLongArray()).containsExactly(-300, 7);
        assertThat(ckpt.get("i8").toLongArray()).containsExactly(-128, 127);
        assertThat(ckpt.get("u8").toLongArray()).containsExactly(255, 1);
        assertThat(ckpt.get("bool").toBooleanArray()).containsExactly(true, false, true);
    }

    @Test
    void viewsOfOneStorageReadTheirOwnSlicesAndStrides() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("whole", Tensor.of(SHARED, 2, 3, 4));
        // rows 1..2 of a 6x4 view: offset 4, contiguous
        t.put("rows", new Tensor(SHARED, 4, new long[] {2, 4}, new long[] {4, 1}));
        // the transpose of the first 3x4 block
        t.put("transposed", new Tensor(SHARED, 0, new long[] {4, 3}, new long[] {1, 4}));
        // every third element from 2
        t.put("strided", new Tensor(SHARED, 2, new long[] {5}, new long[] {3}));
        // a broadcast (expanded) row: stride 0
        t.put("expanded", new Tensor(SHARED, 20, new long[] {3, 2}, new long[] {0, 1}));
        t.put("scalar", new Tensor(SHARED, 23, new long[] {}, new long[] {}));
        t.put("empty", new Tensor(SHARED, 0, new long[] {0, 4}, new long[] {4, 1}));
        Path file = TorchFiles.write(dir.resolve("views.bin"), TorchFiles.archive(t));
        TorchCheckpoint ckpt = TorchCheckpoint.read(file);
        float[] all = ckpt.get("whole").toFloatArray();
        assertThat(all).hasSize(24);
        for (int i = 0; i < 24; i++) {
            assertThat(all[i]).isEqualTo(i);
        }
        assertThat(ckpt.get("rows").toFloatArray()).containsExactly(4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(ckpt.get("transposed").toFloatArray()).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        assertThat(ckpt.get("transposed").shape()).containsExactly(4, 3);
        assertThat(ckpt.get("strided").toFloatArray()).containsExactly(2, 5, 8, 11, 14);
        assertThat(ckpt.get("expanded").toFloatArray()).containsExactly(20, 21, 20, 21, 20, 21);
        assertThat(ckpt.get("scalar").toFloatArray()).containsExactly(23);
        assertThat(ckpt.get("empty").shape()).containsExactly(0, 4);
        assertThat(ckpt.get("empty").byteSize()).isZero();
        // contiguous views are the mapped file itself, strided ones are copies
        assertThat(ckpt.get("whole").data().isDirect()).isTrue();
        assertThat(ckpt.get("rows").data().isDirect()).isTrue();
        assertThat(ckpt.get("transposed").data().isDirect()).isFalse();
        // the file may go away once read: the mapping stays valid
        Files.delete(file);
        assertThat(ckpt.get("rows").toFloatArray()[0]).isEqualTo(4);
    }

    @Test
    void bigEndianArchivesAreSwapped() throws IOException {
        ByteBuffer be = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        be.putFloat(1.25f).putFloat(-8f);
        be.putLong(1L << 40);
        Storage f = Storage.raw("f", "FloatStorage", 4, Arrays.copyOf(be.array(), 8));
        Storage l = Storage.raw("l", "LongStorage", 8, Arrays.copyOfRange(be.array(), 8, 16));
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("f", Tensor.of(f, 2));
        t.put("l", Tensor.of(l, 1));
        byte[] archive = TorchFiles.archive("m", TorchFiles.stateDictPickle(t), TorchFiles.storages(t), "big");
        TorchCheckpoint ckpt = TorchCheckpoint.read(archive);
        assertThat(ckpt.get("f").toFloatArray()).containsExactly(1.25f, -8f);
        assertThat(ckpt.get("l").toLongArray()).containsExactly(1L << 40);
        byte[] little =
                TorchFiles.archive("m", TorchFiles.stateDictPickle(sample()), TorchFiles.storages(sample()), "little");
        assertThat(TorchCheckpoint.read(little).get("layer.bias").toFloatArray())
                .containsExactly(0.5f, -0.5f);
    }

    @Test
    void anOrderedDictWithMetadataAndParametersReads() throws IOException {
        // torch.save(model.state_dict()): an OrderedDict whose _metadata attribute arrives by BUILD, memoised
        // storages, and a tensor wrapped by _rebuild_parameter
        Storage w = Storage.floats("0", 1, 2, 3, 4);
        Pickle p = new Pickle().proto(2).orderedDict().op('q', 0).mark();
        p.string("a").tensor(Tensor.of(w, 4));
        p.string("b")
                .global("torch._utils", "_rebuild_parameter")
                .mark()
                .tensor(new Tensor(w, 2, new long[] {2}, new long[] {1}));
        p.op(0x88).orderedDict().op('t').reduce();
        p.setItems();
        p.emptyDict()
                .mark()
                .string("_metadata")
                .orderedDict()
                .mark()
                .string("")
                .emptyDict()
                .setItems();
        p.setItems().op('b').stop();
        TorchCheckpoint ckpt = TorchCheckpoint.read(TorchFiles.archive("sd", p.bytes(), List.of(w), null));
        assertThat(ckpt.names()).containsExactly("a", "b");
        assertThat(ckpt.get("b").toFloatArray()).containsExactly(3, 4);
    }

    @Test
    void protocol4PicklesWithFramesStackGlobalsAndMemoisedStoragesRead() throws IOException {
        // what torch.save(..., pickle_protocol=4) writes: FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE, BINGET
        Storage s = Storage.floats("0", 1, 2, 3, 4, 5, 6);
        Pickle body = new Pickle().op(0x7d, 0x94).mark();
        body.shortString("a")
                .op(0x94)
                .stackGlobal("torch._utils", "_rebuild_tensor_v2")
                .mark();
        body.mark()
                .shortString("storage")
                .op(0x94)
                .stackGlobal("torch", "FloatStorage")
                .shortString("0")
                .op(0x94);
        body.shortString("cpu")
                .op(0x94)
                .integer(6)
                .op('t', 0x94, 'Q', 0x94)
                .integer(0)
                .tuple(2, 3)
                .tuple(3, 1);
        body.op(0x89).stackGlobal("collections", "OrderedDict").op(')', 'R', 0x94, 't', 0x94, 'R', 0x94);
        // memo: 0 dict, 1 'a', 2-4 rebuild, 5 'storage', 6-8 FloatStorage, 9 '0', 10 'cpu', 11 pid, 12 storage,
        // 13-15 OrderedDict
        body.shortString("b")
                .op(0x94)
                .op('h', 4)
                .mark()
                .op('h', 12)
                .integer(3)
                .tuple(3)
                .tuple(1)
                .op(0x88);
        body.op('h', 15, ')', 'R', 't', 'R');
        body.op('u', '.');
        byte[] b = body.bytes();
        Pickle p = new Pickle().proto(4).op(0x95);
        for (int i = 0; i < 8; i++) {
            p.op((int) ((long) b.length >>> (8 * i)) & 0xff);
        }
        p.op(toInts(b));
        TorchCheckpoint ckpt = TorchCheckpoint.read(TorchFiles.archive("archive", p.bytes(), List.of(s), null));
        assertThat(ckpt.names()).containsExactly("a", "b");
        assertThat(ckpt.get("a").shape()).containsExactly(2, 3);
        assertThat(ckpt.get("b").toFloatArray()).containsExactly(4, 5, 6);
    }

    @Test
    void archivesOfMoreThan65535EntriesUseTheZip64Directory() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int i = 0; i < 70_000; i++) {
            t.put("t" + i, Tensor.of(Storage.floats(Integer.toString(i), i), 1));
        }
        byte[] archive = TorchFiles.archive(t);
        // ZipOutputStream saturates the entry count of the classic end record and writes the ZIP64 one
        int end = archive.length - 22;
        assertThat(ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN).getShort(end + 10))
                .isEqualTo((short) -1);
        TorchCheckpoint ckpt = TorchCheckpoint.read(archive);
        assertThat(ckpt.names()).hasSize(70_000);
        assertThat(ckpt.get("t69999").toFloatArray()).containsExactly(69_999f);
    }

    private static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return out;
    }

    @Test
    void aDictHoldingAStateDictEntryReadsThatEntry() throws IOException {
        Storage w = Storage.floats("0", 1, 2);
        Pickle p = new Pickle().proto(2).emptyDict().mark();
        p.string("epoch").integer(3);
        p.string("state_dict")
                .emptyDict()
                .mark()
                .string("w")
                .tensor(Tensor.of(w, 2))
                .setItems();
        p.setItems().stop();
        TorchCheckpoint ckpt = TorchCheckpoint.read(TorchFiles.archive("r", p.bytes(), List.of(w), null));
        assertThat(ckpt.names()).containsExactly("w");
    }

    // ------------------------------------------------------------------------------------------
    // Globals outside the allow-list

    private static byte[] callingGlobal(String module, String name, String argument) {
        Storage w = Storage.floats("0", 1);
        Pickle p = new Pickle().proto(2).emptyDict().mark();
        p.string("ok").tensor(Tensor.of(w, 1));
        p.string("evil").global(module, name).mark().string(argument).op('t').reduce();
        p.setItems().stop();
        return TorchFiles.archive("archive", p.bytes(), List.of(w), null);
    }

    @Test
    void globalsOutsideTheAllowListAreRefusedByNameAndNothingRuns() throws IOException {
        Path marker = dir.resolve("ran");
        for (String[] g : new String[][] {
            {"os", "system"},
            {"posix", "system"},
            {"builtins", "eval"},
            {"__builtin__", "getattr"},
            {"subprocess", "Popen"},
            {"torch", "load"},
            {"collections", "defaultdict"}
        }) {
            byte[] archive = callingGlobal(g[0], g[1], "touch " + marker);
            Path file = TorchFiles.write(dir.resolve("evil.bin"), archive);
            String qualified = g[0] + "." + g[1];
            assertThatThrownBy(() -> TorchCheckpoint.read(file))
                    .isInstanceOf(UnsafePickleException.class)
                    .hasMessageStartingWith(file + ": pickle refers to global " + qualified
                            + ", which is not allowed in a checkpoint (allowed: collections.OrderedDict,"
                            + " torch._utils._rebuild_tensor_v2, ")
                    .hasMessageContaining("torch.FloatStorage")
                    .satisfies(e ->
                            assertThat(((UnsafePickleException) e).global()).isEqualTo(qualified));
            assertThat(marker).doesNotExist();
        }
    }

    @Test
    void stackGlobalsOfProtocol4AreCheckedToo() throws IOException {
        Pickle p = new Pickle().proto(4).emptyDict().op('(');
        p.string("x")
                .string("builtins")
                .string("exec")
                .op(0x93)
                .mark()
                .string("print(1)")
                .op('t')
                .reduce();
        p.setItems().stop();
        assertThatThrownBy(() -> TorchCheckpoint.read(TorchFiles.archive("a", p.bytes(), List.of(), null)))
                .isInstanceOf(UnsafePickleException.class)
                .hasMessageContaining("pickle refers to global builtins.exec,");
    }

    @Test
    void storageClassesAndOrderedDictCannotBeAbused() throws IOException {
        Pickle callStorage = new Pickle()
                .proto(2)
                .global("torch", "FloatStorage")
                .emptyTuple()
                .reduce()
                .stop();
        assertThatThrownBy(() -> TorchCheckpoint.read(TorchFiles.archive("a", callStorage.bytes(), List.of(), null)))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining(
                        "global torch.FloatStorage cannot be called (storages come only from persistent ids)");
        Pickle dictWithArgs = new Pickle()
                .proto(2)
                .global("collections", "OrderedDict")
                .mark()
                .integer(1)
                .op('t')
                .reduce()
                .stop();
        assertThatThrownBy(() -> TorchCheckpoint.read(TorchFiles.archive("a", dictWithArgs.bytes(), List.of(), null)))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("collections.OrderedDict called with 1 arguments (0 expected)");
        Pickle oldProtocolInst = new Pickle()
                .proto(2)
                .mark()
                .op('i')
                .op("os\nsystem\n".chars().toArray())
                .stop();
        assertThatThrownBy(
                        () -> TorchCheckpoint.read(TorchFiles.archive("a", oldProtocolInst.bytes(), List.of(), null)))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("unsupported pickle opcode 0x69 'i'");
    }

    // ------------------------------------------------------------------------------------------
    // Lightning checkpoints

    private static byte[] lightning(Path marker, boolean placeholderInStateDict) {
        Storage w = Storage.floats("0", 1, 2, 3);
        Pickle p = new Pickle().proto(2).emptyDict().mark();
        p.string("epoch").integer(7);
        p.string("pytorch-lightning_version").string("2.1.0");
        p.string("state_dict").orderedDict().mark();
        p.string("model.w").tensor(Tensor.of(w, 3));
        if (placeholderInStateDict) {
            p.string("model.odd").global("my.module", "Thing").emptyTuple().reduce();
        }
        p.setItems();
        // hyper-parameters: a dataclass made by copyreg.__newobj__ (NEWOBJ + BUILD), and a call of os.system
        p.string("hyper_parameters").emptyDict().mark();
        p.string("config")
                .global("perceiver.model.text.mlm", "MaskedLanguageModelConfig")
                .emptyTuple()
                .op(0x81);
        p.emptyDict().mark().string("num_latents").integer(64).setItems().op('b');
        p.string("cmd")
                .global("os", "system")
                .mark()
                .string("touch " + marker)
                .op('t')
                .reduce();
        p.setItems();
        p.setItems().stop();
        return TorchFiles.archive("last", p.bytes(), List.of(w), null);
    }

    @Test
    void lightningCheckpointsYieldTheirStateDictAndLeaveOtherClassesInert() throws IOException {
        Path marker = dir.resolve("ran");
        Path file = TorchFiles.write(dir.resolve("last.ckpt"), lightning(marker, false));
        TorchCheckpoint ckpt = TorchCheckpoint.readLightning(file);
        assertThat(ckpt.names()).containsExactly("model.w");
        assertThat(ckpt.get("model.w").toFloatArray()).containsExactly(1, 2, 3);
        assertThat(ckpt.placeholders())
                .containsExactly("os.system", "perceiver.model.text.mlm.MaskedLanguageModelConfig");
        assertThat(marker).doesNotExist();
        assertThat(CheckpointFiles.read(file).keySet()).containsExactly("model.w");
        // read as a plain state dict, the same file is refused
        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .isInstanceOf(UnsafePickleException.class)
                .hasMessageContaining("global perceiver.model.text.mlm.MaskedLanguageModelConfig");
    }

    @Test
    void aPlaceholderInsideTheLightningStateDictIsAnError() {
        assertThatThrownBy(() -> TorchCheckpoint.readLightning(lightning(dir.resolve("ran"), true)))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("<bytes>: state dict entry 'model.odd' is an instance of my.module.Thing, not a tensor");
    }

    @Test
    void aLightningCheckpointWithoutStateDictIsAnError() {
        assertThatThrownBy(() -> TorchCheckpoint.readLightning(TorchFiles.archive(sample())))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("<bytes>: the checkpoint has no 'state_dict' dict (a Lightning checkpoint has one)");
    }

    // ------------------------------------------------------------------------------------------
    // Sizes and offsets checked against the archive

    private static byte[] single(Tensor t) {
        return TorchFiles.archive(Map.of("t", t));
    }

    @Test
    void aStorageClaimingMoreElementsThanItsEntryHoldsIsRefused() {
        Storage lying = Storage.floats("0", 1, 2, 3).claiming(1L << 40);
        assertThatThrownBy(() ->
                        TorchCheckpoint.read(single(new Tensor(lying, 0, new long[] {1L << 40}, new long[] {1}))))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("<bytes>: storage '0' claims 1099511627776 elements of FloatStorage (4398046511104 bytes)"
                        + " but its entry holds 12 bytes");
        Storage overflowing = Storage.floats("0", 1).claiming(Long.MAX_VALUE / 2);
        assertThatThrownBy(() -> TorchCheckpoint.read(single(Tensor.of(overflowing, 1))))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("(overflow) but its entry holds 4 bytes");
    }

    @Test
    void aTensorReachingPastItsStorageIsRefusedNamingTheSizes() {
        Storage s = Storage.floats("0", 1, 2, 3, 4, 5, 6);
        assertThatThrownBy(() -> TorchCheckpoint.read(single(Tensor.of(s, 2, 4))))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("<bytes>: tensor 't' (shape [2, 4], stride [4, 1], offset 0) reaches element 7 of storage"
                        + " '0', which has 6 elements");
        assertThatThrownBy(() -> TorchCheckpoint.read(single(new Tensor(s, 5, new long[] {2}, new long[] {1}))))
                .hasMessageContaining("reaches element 6 of storage '0', which has 6 elements");
        assertThatThrownBy(() -> TorchCheckpoint.read(
                        single(new Tensor(s, 0, new long[] {2, 2}, new long[] {Long.MAX_VALUE, 1}))))
                .hasMessageContaining("reaches element beyond 2^63");
        assertThatThrownBy(() -> TorchCheckpoint.read(single(new Tensor(s, 0, new long[] {2}, new long[] {-1}))))
                .hasMessage("<bytes>: tensor 't' (shape [2], stride [-1], offset 0): negative stride -1");
        assertThatThrownBy(() -> TorchCheckpoint.read(single(new Tensor(s, -1, new long[] {2}, new long[] {1}))))
                .hasMessageContaining("negative storage offset");
        assertThatThrownBy(() -> TorchCheckpoint.read(single(new Tensor(s, 0, new long[] {2, -3}, new long[] {1, 1}))))
                .hasMessageContaining("negative dimension -3");
        assertThatThrownBy(() -> TorchCheckpoint.read(single(new Tensor(s, 0, new long[] {2, 3}, new long[] {1}))))
                .hasMessageContaining("shape and stride differ in length");
    }

    @Test
    void anExpansionLargerThanTheArchiveIsRefusedBeforeAllocating() {
        Storage s = Storage.floats("0", 1);
        long[] huge = {1L << 20, 1L << 20};
        assertThatThrownBy(() -> TorchCheckpoint.read(single(new Tensor(s, 0, huge, new long[] {0, 0}))))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("repeats the 1 elements of its storage into 1099511627776 (4398046511104 bytes),"
                        + " more than the ");
        long[] overflow = {1L << 40, 1L << 40};
        assertThatThrownBy(() -> TorchCheckpoint.read(single(new Tensor(s, 0, overflow, new long[] {0, 0}))))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("too many elements");
    }

    @Test
    void aStorageWithoutEntryOrDescribedTwiceDifferentlyIsRefused() {
        Storage a = Storage.floats("0", 1, 2);
        byte[] pickle = TorchFiles.stateDictPickle(Map.of("t", Tensor.of(a, 2)));
        assertThatThrownBy(() -> TorchCheckpoint.read(TorchFiles.archive("archive", pickle, List.of(), null)))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("<bytes>: storage '0' has no entry archive/data/0 in the archive");
        Map<String, Tensor> twice = new LinkedHashMap<>();
        twice.put("a", Tensor.of(a, 2));
        twice.put("b", Tensor.of(a.claiming(1), 1));
        assertThatThrownBy(() -> TorchCheckpoint.read(TorchFiles.archive(twice)))
                .hasMessage("<bytes>: storage '0' is described twice differently (FloatStorage of 2 elements, then"
                        + " FloatStorage of 1)");
    }

    @Test
    void corruptStorageBytesFailTheCrcCheck() throws IOException {
        byte[] archive = TorchFiles.archive(sample());
        byte[] corrupt = archive.clone();
        // the bias storage holds 0.5f = 00 00 00 3f; find and flip it
        int at = indexOf(archive, new byte[] {0, 0, 0, 0x3f, 0, 0, 0, (byte) 0xbf});
        corrupt[at + 3] ^= 1;
        assertThatThrownBy(() -> TorchCheckpoint.read(corrupt))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith("<bytes>: storage 'b' (entry archive/data/b) is corrupt: CRC-32 ");
        assertThat(TorchCheckpoint.read(archive).names()).hasSize(3);
    }

    // ------------------------------------------------------------------------------------------
    // Other formats

    @Test
    void theLegacyFormatAndPlainPicklesGetAClearError() {
        byte[] legacy = HexFormat.of().parseHex("80028a0a6cfc9c46f9206aa850192e8002");
        assertThatThrownBy(() -> TorchCheckpoint.read(legacy))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("<bytes>: this is the legacy torch.save format (torch < 1.6 or"
                        + " _use_new_zipfile_serialization=False), which cannot be read safely; re-save it with"
                        + " torch >= 1.6 (torch.save(torch.load(f), g)) or convert it to safetensors");
        assertThatThrownBy(() -> TorchCheckpoint.read(
                        new Pickle().proto(2).emptyDict().stop().bytes()))
                .hasMessageContaining("this is a plain pickle, not a torch.save zip archive");
        byte[] safetensors =
                SafetensorsFile.toBytes(Map.of("x", TensorData.ofFloats(new long[] {1}, new float[] {1})), null);
        assertThatThrownBy(() -> TorchCheckpoint.read(safetensors))
                .hasMessageContaining("this looks like a safetensors file, not a torch.save archive");
        assertThatThrownBy(
                        () -> TorchCheckpoint.read("hello world".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .hasMessage("<bytes>: not a torch.save zip archive (it starts with bytes 68 65 6c 6c, a zip archive"
                        + " with PK 03 04)");
        assertThatThrownBy(() -> TorchCheckpoint.read(new byte[0])).hasMessage("<bytes>: file is empty");
    }

    @Test
    void zipArchivesThatTorchDidNotWriteAreRefused() {
        Map<String, byte[]> deflated = new LinkedHashMap<>();
        deflated.put("archive/data.pkl", TorchFiles.stateDictPickle(Map.of()));
        assertThatThrownBy(() -> TorchCheckpoint.read(TorchFiles.zip(deflated, ZipEntry.DEFLATED)))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("entry 'archive/data.pkl' is compressed (method 8)");
        Map<String, byte[]> script = new LinkedHashMap<>();
        script.put("model/data.pkl", TorchFiles.stateDictPickle(Map.of()));
        script.put("model/constants.pkl", new byte[] {0x2e});
        script.put("model/code/__torch__.py", new byte[0]);
        assertThatThrownBy(() -> TorchCheckpoint.read(TorchFiles.zip(script, ZipEntry.STORED)))
                .hasMessageContaining("this is a TorchScript archive (torch.jit.save), not a state dict");
        assertThatThrownBy(() -> TorchCheckpoint.read(TorchFiles.zip(Map.of("a.txt", new byte[] {1}), ZipEntry.STORED)))
                .hasMessage("<bytes>: no <record>/data.pkl entry: the zip archive was not written by torch.save");
    }

    // ------------------------------------------------------------------------------------------
    // Truncation and fuzzing

    private static void readExpectingOnlyFormatErrors(byte[] content, boolean mustFail) {
        try {
            TorchCheckpoint ckpt = TorchCheckpoint.read(content);
            for (TensorData t : ckpt.tensors().values()) {
                t.data();
            }
            if (mustFail) {
                fail("expected a CheckpointFormatException for "
                        + HexFormat.of().formatHex(content));
            }
        } catch (CheckpointFormatException e) {
            assertThat(e.getMessage()).startsWith("<bytes>");
        } catch (Throwable t) {
            throw new AssertionError(
                    "unexpected " + t + " for input " + HexFormat.of().formatHex(content), t);
        }
    }

    @Test
    void everyTruncationFailsCleanly() {
        byte[] valid = TorchFiles.archive(sample());
        for (int len = 0; len < valid.length; len++) {
            readExpectingOnlyFormatErrors(Arrays.copyOf(valid, len), true);
        }
    }

    @Test
    void truncatedFilesFailCleanly() throws IOException {
        byte[] valid = TorchFiles.archive(sample());
        Path path = dir.resolve("t.bin");
        for (int len = 0; len < valid.length; len += 13) {
            TorchFiles.write(path, Arrays.copyOf(valid, len));
            assertThatThrownBy(() -> TorchCheckpoint.read(path))
                    .isInstanceOf(CheckpointFormatException.class)
                    .hasMessageStartingWith(path + ": ");
        }
    }

    @Test
    void randomCorruptionNeverEscapesAsAnythingButFormatException() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>(sample());
        t.put("shared", new Tensor(SHARED, 3, new long[] {3, 2}, new long[] {2, 5}));
        byte[] synthetic = TorchFiles.archive(t);
        byte[] real = Files.readAllBytes(resource("torch/folders/clm/pytorch_model.bin"));
        Random random = new Random(20250601L);
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
            for (int iter = 0; iter < 6_000; iter++) {
                byte[] content = (iter % 3 == 0 ? real : synthetic).clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int pos = random.nextInt(content.length);
                    switch (random.nextInt(3)) {
                        case 0 -> content[pos] ^= (byte) (1 << random.nextInt(8));
                        case 1 -> content[pos] = (byte) random.nextInt(256);
                        default -> content[pos] = (byte) (random.nextBoolean() ? 0 : 0xff);
                    }
                }
                if (random.nextInt(5) == 0) {
                    content = Arrays.copyOf(content, random.nextInt(content.length));
                }
                readExpectingOnlyFormatErrors(content, false);
            }
        });
    }

    @Test
    void corruptionOfThePickleAloneNeverEscapesAsAnythingButFormatException() {
        // flips confined to data.pkl reach the unpickler (the CRC of data.pkl is rewritten to match)
        byte[] pickle = TorchFiles.stateDictPickle(sample());
        Random random = new Random(11L);
        for (int iter = 0; iter < 6_000; iter++) {
            byte[] p = pickle.clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                p[random.nextInt(p.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                p = Arrays.copyOf(p, random.nextInt(p.length));
            }
            byte[] content = TorchFiles.archive("archive", p, TorchFiles.storages(sample()), null);
            readExpectingOnlyFormatErrors(content, false);
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(TorchCheckpointTest.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
