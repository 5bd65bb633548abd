package dev.perceiver.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    @TempDir
    Path dir;

    @Test
    void fileIsSplitIntoParagraphs() throws IOException {
        Path f = dir.resolve("corpus.txt");
        Files.writeString(f, "\uFEFFfirst line\nstill first\r\n\r\n  \nsecond ü\n\n\nthird\n", StandardCharsets.UTF_8);
        assertThat(TextCorpus.load(f).documents()).containsExactly("first line\nstill first", "second ü", "third");
    }

    @Test
    void folderGivesOneDocumentPerTxtFileInSortedOrder() throws IOException {
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("b/2.txt"), "two");
        Files.writeString(dir.resolve("a.txt"), "one");
        Files.writeString(dir.resolve("b/1.TXT"), "one-b");
        Files.writeString(dir.resolve("b/ignored.md"), "no");
        Files.writeString(dir.resolve("c.txt"), "   \n");
        assertThat(TextCorpus.load(dir).documents()).containsExactly("one", "one-b", "two");
    }

    @Test
    void nonUtf8FileIsRejectedByName() throws IOException {
        Files.writeString(dir.resolve("ok.txt"), "fine");
        Path bad = dir.resolve("latin1.txt");
        Files.write(bad, "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> TextCorpus.fromDirectory(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> TextCorpus.fromFile(bad)).hasMessageContaining(bad.toString());
    }

    @Test
    void splitTakesLastDocumentsForValidation() {
        TextCorpus c = new TextCorpus(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
        DataSplit<TextCorpus> s = c.split(0.2);
        assertThat(s.train().documents()).containsExactly("a", "b", "c", "d", "e", "f", "g", "h");
        assertThat(s.valid().documents()).containsExactly("i", "j");
        assertThat(c.split(0.0).valid().size()).isZero();
        assertThat(c.split(0.25).valid().documents()).containsExactly("h", "i", "j"); // round(2.5) = 3
    }

    @Test
    void separateFolders() throws IOException {
        Files.createDirectories(dir.resolve("train"));
        Files.createDirectories(dir.resolve("valid"));
        Files.writeString(dir.resolve("train/x.txt"), "t");
        Files.writeString(dir.resolve("valid/y.txt"), "v");
        DataSplit<TextCorpus> s = TextCorpus.load(dir.resolve("train"), dir.resolve("valid"));
        assertThat(s.train().documents()).containsExactly("t");
        assertThat(s.valid().documents()).containsExactly("v");
    }
}
