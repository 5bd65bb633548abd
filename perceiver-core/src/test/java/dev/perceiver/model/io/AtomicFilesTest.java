package dev.perceiver.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void writesNewFileAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("out.bin");
        AtomicFiles.write(target, out -> out.write(new byte[] {1, 2, 3}));
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
        assertThat(names()).containsExactly("out.bin");
    }

    @Test
    void writesThroughTheChannelDirectBuffersIncluded() throws IOException {
        Path target = dir.resolve("model.onnx");
        AtomicFiles.writeString(target, "old");
        AtomicFiles.writeChannel(target, channel -> {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2}));
            ByteBuffer direct =
                    ByteBuffer.allocateDirect(3).put(new byte[] {3, 4, 5}).flip();
            channel.write(direct);
        });
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3, 4, 5);
        assertThat(names()).containsExactly("model.onnx");
    }

    @Test
    void keepsOldFileWhenChannelWriterFails() throws IOException {
        Path target = dir.resolve("model.onnx");
        AtomicFiles.writeString(target, "precious");
        IOException boom = new IOException("disk on fire");
        assertThatThrownBy(() -> AtomicFiles.writeChannel(target, channel -> {
                    channel.write(ByteBuffer.wrap(new byte[] {1, 2}));
                    throw boom;
                }))
                .hasMessage("could not write " + target + ": disk on fire")
                .hasCause(boom);
        assertThat(Files.readString(target)).isEqualTo("precious");
        assertThat(names()).containsExactly("model.onnx");
    }

    @Test
    void replacesExistingFile() throws IOException {
        Path target = dir.resolve("config.json");
        AtomicFiles.writeString(target, "old");
        AtomicFiles.writeString(target, "néw ✓");
        assertThat(Files.readString(target, StandardCharsets.UTF_8)).isEqualTo("néw ✓");
        assertThat(names()).containsExactly("config.json");
    }

    @Test
    void keepsOldFileWhenWriterThrowsIOException() throws IOException {
        Path target = dir.resolve("model.safetensors");
        AtomicFiles.writeString(target, "precious");
        IOException boom = new IOException("disk on fire");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    out.write("partial garbage".getBytes(StandardCharsets.UTF_8));
                    throw boom;
                }))
                .hasMessage("could not write " + target + ": disk on fire")
                .hasCause(boom);
        assertThat(Files.readString(target)).isEqualTo("precious");
        assertThat(names()).containsExactly("model.safetensors");
    }

    @Test
    void keepsOldFileWhenWriterThrowsRuntimeException() throws IOException {
        Path target = dir.resolve("a.txt");
        AtomicFiles.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    out.write(new byte[100_000]);
                    throw new IllegalStateException("bug");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("bug");
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(names()).containsExactly("a.txt");
    }

    @Test
    void aFullDiskNamesTheTargetNotTheTemporaryFile() throws IOException {
        Path target = dir.resolve("metrics.csv");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    out.write(new byte[10]);
                    throw new java.nio.file.FileSystemException(
                            dir.resolve(".metrics.csv.0123.tmp").toString(), null, "No space left on device");
                }))
                .hasMessage("could not write " + target + ": No space left on device");
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void aDirectoryAsTargetIsRefusedByName() throws IOException {
        Path target = Files.createDirectory(dir.resolve("out.png"));
        assertThatThrownBy(() -> AtomicFiles.writeString(target, "x"))
                .hasMessage(target + ": is a directory; give a file path");
        assertThat(dir.toFile().list()).containsExactly("out.png");
    }

    @Test
    void leftoverTemporaryFilesOfACrashAreDeleted() throws IOException {
        Files.writeString(dir.resolve(".metrics.csv.1f2e3d4c5b6a7980.tmp"), "partial");
        Files.writeString(dir.resolve("metrics.csv"), "kept");
        Files.writeString(dir.resolve(".hidden"), "kept");
        assertThat(AtomicFiles.deleteTempFiles(dir)).isEqualTo(1);
        assertThat(names()).containsExactlyInAnyOrder("metrics.csv", ".hidden");
    }

    @Test
    void failedFirstWriteLeavesNothing() {
        Path target = dir.resolve("never.bin");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    throw new IOException("no");
                }))
                .hasMessage("could not write " + target + ": no");
        assertThat(Files.exists(target)).isFalse();
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void writerMayCloseTheStream() throws IOException {
        Path target = dir.resolve("closed.txt");
        AtomicFiles.write(target, out -> {
            out.write('a');
            out.close();
            out.close();
        });
        assertThat(Files.readString(target)).isEqualTo("a");
        assertThat(names()).containsExactly("closed.txt");
    }

    @Test
    void writingAfterCloseFailsAndKeepsTarget() throws IOException {
        Path target = dir.resolve("x.txt");
        AtomicFiles.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    out.close();
                    out.write('b');
                }))
                .isInstanceOf(IOException.class);
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(names()).containsExactly("x.txt");
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path target = dir.resolve("a/b/c.txt");
        AtomicFiles.writeString(target, "deep");
        assertThat(Files.readString(target)).isEqualTo("deep");
    }

    @Test
    void relativeTargetWorks() throws IOException {
        Path target = dir.resolve("rel.txt");
        Path cwd = Path.of("").toAbsolutePath();
        assumeTrue(cwd.getRoot().equals(target.getRoot()), "temp dir on another drive");
        Path relative = cwd.relativize(target);
        AtomicFiles.writeBytes(relative, new byte[] {42});
        assertThat(Files.readAllBytes(target)).containsExactly(42);
    }

    @Test
    void largeContentIsWrittenCompletely() throws IOException {
        Path target = dir.resolve("big.bin");
        byte[] data = new byte[3_000_001];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        AtomicFiles.write(target, out -> {
            for (int i = 0; i < data.length; i += 1000) {
                out.write(data, i, Math.min(1000, data.length - i));
            }
        });
        assertThat(Files.readAllBytes(target)).isEqualTo(data);
    }
}
