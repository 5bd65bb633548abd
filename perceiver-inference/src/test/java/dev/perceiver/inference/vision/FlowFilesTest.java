package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowFilesTest {
    @TempDir
    Path dir;

    static Path fixture(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = FlowFilesTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void roundTripKeepsEveryValue() throws IOException {
        Random r = new Random(3);
        float[] data = new float[2 * 7 * 9];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian() * 10;
        }
        data[5] = Float.NaN;
        FlowField flow = new FlowField(7, 9, data);
        Path file = dir.resolve("out/flow.flo");
        FlowFiles.write(file, flow);
        assertThat(Files.size(file)).isEqualTo(12 + 8 * 63);
        FlowField back = FlowFiles.read(file);
        assertThat(back.height()).isEqualTo(7);
        assertThat(back.width()).isEqualTo(9);
        assertThat(Arrays.equals(back.data(), data)).isTrue();
        try (var s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("flow.flo");
        }
    }

    @Test
    void headerIsMiddleburyLayout() throws IOException {
        Path file = dir.resolve("f.flo");
        FlowFiles.write(file, new FlowField(2, 3, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(Files.readAllBytes(file), 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("PIEH");
        assertThat(b.getFloat(0)).isEqualTo(202021.25f);
        assertThat(b.getInt(4)).isEqualTo(3);
        assertThat(b.getInt(8)).isEqualTo(2);
        // (u, v) of pixel (row 0, column 1)
        assertThat(b.getFloat(12 + 8)).isEqualTo(3f);
        assertThat(b.getFloat(12 + 12)).isEqualTo(4f);
    }

    @Test
    void readsFilesWrittenByNumpy() throws IOException {
        FlowField f = FlowFiles.read(fixture(dir, "flow_21x45.flo"));
        assertThat(f.height()).isEqualTo(21);
        assertThat(f.width()).isEqualTo(45);
        assertThat(f.u(0, 1)).isEqualTo(3f);
        assertThat(f.v(0, 2)).isEqualTo(-3f);
    }

    @Test
    void badFilesNameTheFileAndTheProblem() throws IOException {
        assertThatThrownBy(() -> FlowFiles.read(dir.resolve("none.flo")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("none.flo");
        Path png = dir.resolve("image.flo");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> FlowFiles.read(png))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("image.flo")
                .hasMessageContaining("tag");
        Path truncated = dir.resolve("short.flo");
        FlowFiles.write(truncated, new FlowField(2, 2, new float[8]));
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 4));
        assertThatThrownBy(() -> FlowFiles.read(truncated))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("short.flo")
                .hasMessageContaining("2x2");
    }
}
