package dev.perceiver.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MidiFolderDatasetTest {
    /** Fake codec: one token per byte of the file. */
    private static final MidiTokenizer BYTES = file -> {
        byte[] b = Files.readAllBytes(file);
        if (b.length > 0 && b[0] == 'X') {
            throw new IOException("bad header");
        }
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i];
        }
        return out;
    };

    @TempDir
    Path dir;

    private void write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void listsRecursivelyEncodesAndChunks() throws IOException {
        write("b/song.midi", "DEFG");
        write("a.mid", "ABC");
        write("c/deep/x.MID", "HIJKLMN");
        write("notes.txt", "zzzz");
        MidiFolderDataset ds = MidiFolderDataset.load(dir, BYTES, 3);
        assertThat(ds.files())
                .containsExactly(dir.resolve("a.mid"), dir.resolve("b/song.midi"), dir.resolve("c/deep/x.MID"));
        // stream "ABCDEFGHIJKLMN" (14 tokens) -> 3 chunks of 4, tail of 2 dropped
        assertThat(ds.size()).isEqualTo(3);
        assertThat(ds.chunks().chunk(1)).containsExactly('E', 'F', 'G', 'H');
        assertThat(ds.chunks().input(2)).containsExactly('I', 'J', 'K');
        assertThat(ds.chunks().labels(2)).containsExactly('J', 'K', 'L');
        LmBatch b = new ClmCollator(0, null).collate(ds.chunks(), new int[] {0, 2}, new java.util.Random(0));
        assertThat(b.labels()[0]).containsExactly('B', 'C', 'D');
    }

    @Test
    void errors() throws IOException {
        assertThatThrownBy(() -> MidiFolderDataset.load(dir.resolve("missing"), BYTES, 4))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> MidiFolderDataset.load(dir, BYTES, 4))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no .mid");
        write("ok.mid", "ABC");
        write("broken.mid", "XYZ");
        assertThatThrownBy(() -> MidiFolderDataset.load(dir, BYTES, 4))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("broken.mid").toString())
                .hasMessageContaining("bad header");
        assertThat(MidiFolderDataset.listMidiFiles(dir)).hasSize(2);
    }
}
