package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.model.io.SafetensorsFile;
import dev.perceiver.model.io.TensorData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and careless input to the CLI, one test per class of issue 13 (1: the JVM would die or print a stack
 * trace, 2: resources would be spent before rejecting, 3: silently wrong, 5: symbolic links): every example must give
 * exit code 2 and one line naming the problem, quickly, without echoing file content. The files are tiny and built
 * here; the model folders are the reference fixtures (copied and altered).
 */
class HostileInputTest {
    private static final Path FOLDERS =
            Path.of("..", "perceiver-train", "src", "test", "resources", "fixtures-folders");

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static Path clm;
    private static Path audio;
    private static Path image;

    @BeforeAll
    static void convertFixtures() throws IOException {
        clm = shared.resolve("clm");
        audio = shared.resolve("audio");
        image = shared.resolve("image");
        assertThat(Main.execute("convert", FOLDERS.resolve("clm").toString(), clm.toString()))
                .isZero();
        assertThat(Main.execute("convert", FOLDERS.resolve("symbolic_audio").toString(), audio.toString()))
                .isZero();
        assertThat(Main.execute("convert", FOLDERS.resolve("image_classifier").toString(), image.toString()))
                .isZero();
    }

    /** Exit code and stderr of one in-process run. */
    record Run(int code, String err, long millis) {
        /** Exit 2, one "error:" line naming {@code fragments}, no stack trace, within 30 s. */
        Run refused(String... fragments) {
            assertThat(code).as(err).isEqualTo(2);
            List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as(err).hasSize(1);
            assertThat(lines.get(0))
                    .startsWith("error: ")
                    .doesNotContain("Exception")
                    .contains(fragments);
            assertThat(millis).isLessThan(30_000);
            return this;
        }
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, err.toString(StandardCharsets.UTF_8), (System.nanoTime() - start) / 1_000_000);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Class 1: inputs that aborted the JVM or ran it out of heap with a stack trace. */
    @Test
    void class1NativeAbortsAndOutOfMemoryAreRefused() throws Exception {
        // a Split pre-tokenizer whose regex backtracks exponentially: the native library would abort the JVM
        Path tok = copy(clm, tmp.resolve("regex"));
        Files.writeString(tok.resolve("tokenizer.json"), tokenizerJson("(a+)+$", 26));
        run(
                        "generate",
                        "--model",
                        tok.toString(),
                        "--prompt",
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
                        "--max-new-tokens",
                        "1")
                .refused("tokenizer.json", "refusing the tokenizer", "nested repetition");

        // a MIDI file whose events lie years apart (huge tempo and delta times)
        Path mid = tmp.resolve("gap.mid");
        Files.write(mid, gapMidi());
        run(
                        "generate-audio",
                        "--model",
                        audio.toString(),
                        "--prompt",
                        mid.toString(),
                        "--output",
                        tmp.resolve("out.mid").toString(),
                        "--max-new-tokens",
                        "1")
                .refused("gap.mid", "MIDI time gap", "exceeds the limit");

        // a JPEG of a few hundred bytes declaring 40000 x 40000 pixels
        Path jpeg = tmp.resolve("huge.jpg");
        Files.write(jpeg, jpegDeclaring(40000, 40000));
        assertThat(Files.size(jpeg)).isLessThan(1000);
        run("classify-image", "--model", image.toString(), jpeg.toString())
                .refused("huge.jpg", "40000 x 40000", "exceeds the limit");

        // an 8-byte IDX label file declaring 2^31 - 1 labels
        Path idx = tmp.resolve("idx");
        Files.createDirectories(idx);
        Files.write(idx.resolve("train-images-idx3-ubyte"), idxImages(1, 2, 2));
        Files.write(idx.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0x7f, -1, -1, -1});
        run(
                        "train",
                        "image-classifier",
                        "--data.dataset_dir=" + idx,
                        "--trainer.default_root_dir=" + tmp.resolve("runs"))
                .refused("train-labels-idx1-ubyte", "truncated label data");

        // a sparse 8 GiB model.safetensors
        Path sparse = copy(clm, tmp.resolve("sparse"));
        sparseSafetensors(sparse.resolve("model.safetensors"), 1L << 31);
        run("generate", "--model", sparse.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                .refused("model.safetensors");

        run("generate", "--model", clm.toString(), "--prompt", "hi", "--max-new-tokens", "2000000000")
                .refused("max_new_tokens (2000000000)", "[1, 1048576]");
    }

    /** Class 2: sizes declared by a header or config are checked before anything is allocated. */
    @Test
    void class2DeclaredSizesAreCheckedBeforeAllocating() throws Exception {
        Path png = tmp.resolve("bomb.png");
        Files.write(png, pngDeclaring(30000, 30000));
        run("classify-image", "--model", image.toString(), png.toString())
                .refused("bomb.png", "30000 x 30000", "exceeds the limit");

        Path shape = copy(image, tmp.resolve("shape"));
        editConfig(shape, "\"image_shape\" : [ 5, 7, 3 ]", "\"image_shape\" : [ 65536, 65536, 3 ]");
        run("classify-image", "--model", shape.toString(), png.toString())
                .refused("model_config.encoder.image_shape", "would need an estimated", "available");

        Path classes = copy(image, tmp.resolve("classes"));
        editConfig(classes, "\"num_classes\" : 7", "\"num_classes\" : 2147483647");
        run("classify-image", "--model", classes.toString(), png.toString())
                .refused("model_config.decoder.num_classes (2147483647)", "would need an estimated");

        Path seq = copy(clm, tmp.resolve("seq"));
        editConfig(seq, "\"max_seq_len\" : 48", "\"max_seq_len\" : 2000000000");
        run("generate", "--model", seq.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                .refused("model_config.max_seq_len (2000000000)", "would need an estimated");

        Path vocab = copy(clm, tmp.resolve("vocab"));
        editConfig(vocab, "\"vocab_size\" : 262", "\"vocab_size\" : 2000000000");
        run("generate", "--model", vocab.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                .refused("model_config.vocab_size (2000000000)", "would need an estimated");

        run(
                        "train",
                        "image-classifier",
                        "--data.batch_size=100000",
                        "--trainer.default_root_dir=" + tmp.resolve("runs"))
                .refused("data.batch_size (100000)", "would need an estimated");

        Path csv = tmp.resolve("train.csv");
        Files.writeString(csv, "text,label\nhello,2000000000\n");
        run(
                        "train",
                        "text-classifier",
                        "--data.train_file=" + csv,
                        "--data.valid_file=" + csv,
                        "--trainer.default_root_dir=" + tmp.resolve("runs"))
                .refused("train.csv:2", "integer label 2000000000", "0..65535");
    }

    /** Class 3: input that loaded or ran silently wrong is refused, naming the tensor, token or option. */
    @Test
    void class3SilentlyWrongInputIsRefused() throws Exception {
        Path nan = copy(clm, tmp.resolve("nan"));
        rewriteTensor(nan.resolve("model.safetensors"), "backend_model.out_norm.weight", "F32", Float.NaN);
        run("generate", "--model", nan.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                .refused("'out_norm.weight'", "NaN or infinite");

        Path i32 = copy(clm, tmp.resolve("i32"));
        rewriteTensor(i32.resolve("model.safetensors"), "backend_model.out_norm.weight", "I32", 1f);
        run("generate", "--model", i32.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                .refused("'out_norm.weight'", "dtype I32", "F32");

        Path added = copy(clm, tmp.resolve("added"));
        Files.writeString(added.resolve("tokenizer.json"), tokenizerJson("\\\\s+", 2147483648L));
        run("generate", "--model", added.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                .refused("added token id 2147483648", "outside [0, 16777215]");

        run("generate", "--model", clm.toString(), "--prompt", "hi", "--max-new-tokens", "1", "--eos-id", "9999")
                .refused("eos_token_id (9999)", "[0, 261]");

        Path corrupt = copy(clm, tmp.resolve("corrupt"));
        Files.writeString(corrupt.resolve("tokenizer_config.json"), "{\"eos_token\": [");
        run("generate", "--model", corrupt.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                .refused("tokenizer_config.json", "invalid JSON");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        run("parity", empty.toString()).refused("no parity cases");
    }

    /** Class 5: links out of a model folder are refused, and the linked file's content never reaches the error. */
    @Test
    void class5SymlinksOutOfTheFolderAreRefused() throws Exception {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT\n");
        for (String name : List.of("config.json", "model.safetensors", "tokenizer_config.json", "tokenizer.json")) {
            Path linked = copy(clm, tmp.resolve("link-" + name));
            Files.deleteIfExists(linked.resolve(name));
            Files.createSymbolicLink(linked.resolve(name), secret.toAbsolutePath());
            Run r = run("generate", "--model", linked.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                    .refused(name, "symbolic link to a file outside the model folder");
            assertThat(r.err()).doesNotContain("TOP-SECRET");
        }
        // a link inside the folder is fine
        Path inside = copy(clm, tmp.resolve("inside"));
        Files.move(inside.resolve("model.safetensors"), inside.resolve("weights.bin.real"));
        Files.createSymbolicLink(inside.resolve("model.safetensors"), Path.of("weights.bin.real"));
        assertThat(run("generate", "--model", inside.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                        .code())
                .isZero();
        // a config that is not JSON is reported by position, not by content
        Path garbage = copy(clm, tmp.resolve("garbage"));
        Files.writeString(garbage.resolve("config.json"), "TOP-SECRET-CONTENT");
        Run r = run("generate", "--model", garbage.toString(), "--prompt", "hi", "--max-new-tokens", "1")
                .refused("config.json", "invalid JSON at line 1");
        assertThat(r.err()).doesNotContain("TOP-SECRET");
    }

    // ---- tiny hostile files ----

    static String tokenizerJson(String splitRegex, long addedId) {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < 26; i++) {
            vocab.append('"').append((char) ('a' + i)).append("\":").append(i).append(',');
        }
        vocab.append("\"[UNK]\":26");
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
                + "\"added_tokens\":[{\"id\":" + addedId + ",\"content\":\"[X]\",\"single_word\":false,"
                + "\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                + "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"" + splitRegex
                + "\"},\"behavior\":\"Isolated\",\"invert\":false},\"post_processor\":null,\"decoder\":null,"
                + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},\"unk_token\":\"[UNK]\"}}";
    }

    /** A type-0 MIDI file: the slowest tempo and note events 2^28 ticks apart (about 140 years). */
    static byte[] gapMidi() throws IOException {
        ByteArrayOutputStream track = new ByteArrayOutputStream();
        track.write(new byte[] {0, (byte) 0xff, 0x51, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        track.write(new byte[] {0, (byte) 0x90, 60, 100});
        track.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, (byte) 0x80, 60, 0});
        track.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, (byte) 0x90, 62, 100});
        track.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, (byte) 0x80, 62, 0});
        track.write(new byte[] {0, (byte) 0xff, 0x2f, 0});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.writeBytes("MThd");
        d.writeInt(6);
        d.writeShort(0);
        d.writeShort(1);
        d.writeShort(1);
        d.writeBytes("MTrk");
        d.writeInt(track.size());
        track.writeTo(d);
        return out.toByteArray();
    }

    /** A real 8 x 8 JPEG whose frame header (SOF0) is patched to declare {@code width x height}. */
    static byte[] jpegDeclaring(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "jpeg", out);
        byte[] b = out.toByteArray();
        for (int i = 0; i + 8 < b.length; i++) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xc0) {
                b[i + 5] = (byte) (height >> 8);
                b[i + 6] = (byte) height;
                b[i + 7] = (byte) (width >> 8);
                b[i + 8] = (byte) width;
                return b;
            }
        }
        throw new IllegalStateException("no SOF0 marker");
    }

    /** A PNG header declaring {@code width x height} gray pixels, followed by one empty data chunk. */
    static byte[] pngDeclaring(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 0, 0, 0, 0});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 3, 0, 0, 0, 0, 1});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    static byte[] idxImages(int count, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
        b.putInt(0x803).putInt(count).putInt(rows).putInt(cols);
        return b.array();
    }

    /** A safetensors file of one F32 tensor of {@code numel} values whose data is a hole (sparse file). */
    static void sparseSafetensors(Path file, long numel) throws IOException {
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[" + numel + "],\"data_offsets\":[0," + 4 * numel + "]}}";
        while (header.length() % 8 != 0) {
            header += " ";
        }
        Files.deleteIfExists(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] len = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length())
                    .array();
            f.write(len);
            f.write(header.getBytes(StandardCharsets.UTF_8));
            f.setLength(8 + header.length() + 4 * numel);
        }
    }

    /** Rewrites one tensor of a safetensors file with the given dtype name and every value {@code value}. */
    static void rewriteTensor(Path file, String name, String dtype, float value) throws IOException {
        Map<String, TensorData> tensors =
                new LinkedHashMap<>(SafetensorsFile.read(file).tensors());
        TensorData t = tensors.get(name);
        assertThat(t).as(name).isNotNull();
        ByteBuffer data = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        while (data.hasRemaining()) {
            data.putFloat(value);
        }
        data.flip();
        tensors.put(name, new TensorData(dtype, t.shape(), data));
        SafetensorsFile.write(file, tensors, SafetensorsFile.read(file).metadata());
    }

    static void editConfig(Path dir, String from, String to) throws IOException {
        Path config = dir.resolve("config.json");
        String s = Files.readString(config);
        assertThat(s).contains(from);
        Files.writeString(config, s.replace(from, to));
    }

    static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
