package dev.perceiver.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.inference.tokenizer.BytesTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationDataTest {
    private static final BytesTokenizer TOK = new BytesTokenizer();

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void imdbFolderLayout() throws IOException {
        write("imdb/train/pos/0_9.txt", "great movie");
        write("imdb/train/pos/1_7.txt", "good");
        write("imdb/train/neg/0_2.txt", "awful");
        write("imdb/test/pos/0_10.txt", "superb");
        write("imdb/test/neg/0_1.txt", "bad");
        write("imdb/train/unsup/0_0.txt", "unlabelled");
        DataSplit<TextClassificationData> s = ImdbFolder.loadSplits(dir.resolve("imdb"));
        assertThat(s.train().examples())
                .containsExactly(
                        new LabeledText("awful", 0), new LabeledText("great movie", 1), new LabeledText("good", 1));
        assertThat(s.valid().examples()).containsExactly(new LabeledText("bad", 0), new LabeledText("superb", 1));
        assertThat(s.train().labels().names()).containsExactly("neg", "pos");
        assertThat(s.train().numClasses()).isEqualTo(2);
        assertThat(ImdbFolder.unsupervised(dir.resolve("imdb")).documents()).containsExactly("unlabelled");
    }

    @Test
    void imdbMissingFolder() throws IOException {
        write("imdb/train/pos/0_9.txt", "great movie");
        assertThatThrownBy(() -> ImdbFolder.load(dir.resolve("imdb"), true))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("neg");
    }

    @Test
    void csvWithQuoting() throws IOException {
        Path f = write(
                "data.csv",
                "id,text,label\r\n"
                        + "1,plain text,pos\r\n"
                        + "2,\"with, comma\",neg\r\n"
                        + "3,\"say \"\"hi\"\"\nsecond line\",pos\n"
                        + "\n"
                        + "4,,neg\n"
                        + "5,\"\",\"neg\"");
        TextClassificationData d = ClassificationFiles.read(f);
        assertThat(d.examples())
                .containsExactly(
                        new LabeledText("plain text", 0),
                        new LabeledText("with, comma", 1),
                        new LabeledText("say \"hi\"\nsecond line", 0),
                        new LabeledText("", 1),
                        new LabeledText("", 1));
        assertThat(d.labels().names()).containsExactly("pos", "neg");
    }

    @Test
    void csvIntegerLabels() throws IOException {
        Path f = write("ints.csv", "label,text\n3,a\n0,b\n");
        TextClassificationData d = ClassificationFiles.read(f);
        assertThat(d.examples()).containsExactly(new LabeledText("a", 3), new LabeledText("b", 0));
        assertThat(d.numClasses()).isEqualTo(4);
    }

    @Test
    void csvBadRows() throws IOException {
        assertBad(write("a.csv", "text,label\nok,1\ntoo,many,fields\n"), ":3:", "expected 2 fields, found 3");
        assertBad(write("b.csv", "text,label\nok,1\n\"never closed,1\nmore\n"), ":3:", "unterminated");
        assertBad(write("c.csv", "text,label\n\"quoted\"junk,1\n"), ":2:", "after closing quote");
        assertBad(write("d.csv", "text,label\nhalf\"quote,1\n"), ":2:", "quote inside an unquoted field");
        assertBad(write("e.csv", "body,label\nx,1\n"), ":1:", "no 'text' column");
        assertBad(write("f.csv", "text,label\nx,\n"), ":2:", "empty label");
        assertBad(write("g.csv", "text,label\nx,1\n\"multi\nline\",2\ny,pos\n"), ":5:", "string label 'pos'");
        assertBad(write("h.csv", "text,label\nx,-1\n"), ":2:", "negative label");
        assertBad(write("i.csv", ""), ":1:", "empty file");
    }

    @Test
    void jsonlWithIntAndStringLabels() throws IOException {
        Path f = write(
                "data.jsonl",
                "{\"text\": \"one\", \"label\": \"sports\"}\n"
                        + "\n"
                        + "{\"label\": \"politics\", \"text\": \"two \\\"q\\\"\\nx\", \"extra\": 1}\r\n"
                        + "{\"text\": \"three\", \"label\": \"sports\"}\n");
        LabelVocabulary vocab = new LabelVocabulary();
        TextClassificationData d = ClassificationFiles.read(f, vocab);
        assertThat(d.examples())
                .containsExactly(
                        new LabeledText("one", 0), new LabeledText("two \"q\"\nx", 1), new LabeledText("three", 0));
        Path valid = write(
                "valid.jsonl",
                "{\"text\": \"v\", \"label\": \"politics\"}\n" + "{\"text\": \"w\", \"label\": \"weather\"}\n");
        TextClassificationData v = ClassificationFiles.read(valid, vocab);
        assertThat(v.examples()).containsExactly(new LabeledText("v", 1), new LabeledText("w", 2));
        assertThat(vocab.names()).containsExactly("sports", "politics", "weather");

        Path ints = write("ints.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": 0}\n");
        TextClassificationData di = ClassificationFiles.read(ints);
        assertThat(di.examples()).containsExactly(new LabeledText("a", 1), new LabeledText("b", 0));
        assertThat(di.labels().names()).containsExactly("0", "1");
    }

    @Test
    void jsonlBadRows() throws IOException {
        assertBad(write("a.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \n"), ":2:", "invalid JSON");
        assertBad(write("b.jsonl", "{\"label\": 1}\n"), ":1:", "'text'");
        assertBad(write("c.jsonl", "{\"text\": 5, \"label\": 1}\n"), ":1:", "'text'");
        assertBad(write("d.jsonl", "\n\n{\"text\": \"a\", \"label\": 1.5}\n"), ":3:", "integer or a string");
        assertBad(write("e.jsonl", "{\"text\": \"a\"}\n"), ":1:", "integer or a string");
        assertBad(write("f.jsonl", "[1, 2]\n"), ":1:", "JSON object");
        assertBad(
                write("g.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": \"x\"}\n"),
                ":2:",
                "string label 'x'");
        assertBad(write("h.jsonl", "{\"text\": \"a\", \"label\": -2}\n"), ":1:", "negative label");
        assertBad(write("i.jsonl", "{\"text\": \"a\", \"label\": 1} trailing\n"), ":1:", "invalid JSON");
    }

    @Test
    void nonUtf8ClassificationFile() throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.write(f, new byte[] {'t', 'e', 'x', 't', ',', 'l', 'a', 'b', 'e', 'l', '\n', (byte) 0xff, ',', '1'});
        assertThatThrownBy(() -> ClassificationFiles.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("UTF-8");
    }

    private static void assertBad(Path file, String line, String message) {
        assertThatThrownBy(() -> ClassificationFiles.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + line)
                .hasMessageContaining(message);
    }

    @Test
    void collatorTruncatesAndPadsRight() {
        ClassificationCollator c = new ClassificationCollator(TOK, 5);
        ClassificationBatch b = c.collate(List.of(new LabeledText("abcdefgh", 1), new LabeledText("xy", 0)));
        assertThat(b.seqLen()).isEqualTo(5);
        assertThat(b.x()[0]).containsExactly('a' + 6, 'b' + 6, 'c' + 6, 'd' + 6, 'e' + 6);
        assertThat(b.x()[1]).containsExactly('x' + 6, 'y' + 6, 0, 0, 0);
        assertThat(b.padMask()[1]).containsExactly(false, false, true, true, true);
        assertThat(b.padMask()[0]).containsOnly(false);
        assertThat(b.y()).containsExactly(1L, 0L);
        ClassificationBatch shortBatch = c.collate(List.of(new LabeledText("ab", 0), new LabeledText("a", 1)));
        assertThat(shortBatch.seqLen()).isEqualTo(2);
    }
}
