package dev.perceiver.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of plain-text documents.
 *
 * <p>From a single file, documents are paragraphs separated by one or more blank lines. From a folder, every
 * {@code *.txt} file below it (recursively, in sorted relative-path order) is one document. Blank documents are
 * skipped. All files are read as strict UTF-8.
 */
public final class TextCorpus {
    private final List<String> documents;

    /** Wraps a list of documents (copied). */
    public TextCorpus(List<String> documents) {
        this.documents = List.copyOf(documents);
    }

    /** Loads a file (paragraph documents) or a folder of {@code .txt} files (one document each). */
    public static TextCorpus load(Path path) throws IOException {
        return Files.isDirectory(path) ? fromDirectory(path) : fromFile(path);
    }

    /** Loads training and validation corpora from two separate files or folders. */
    public static DataSplit<TextCorpus> load(Path train, Path valid) throws IOException {
        return new DataSplit<>(load(train), load(valid));
    }

    /**
     * Splits a file into paragraph documents.
     *
     * @throws IOException naming the file if it is unreadable or not UTF-8
     */
    public static TextCorpus fromFile(Path file) throws IOException {
        String text = Utf8Files.read(file).replace("\r\n", "\n").replace('\r', '\n');
        List<String> docs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                flush(current, docs);
            } else {
                if (current.length() > 0) {
                    current.append('\n');
                }
                current.append(line);
            }
        }
        flush(current, docs);
        return new TextCorpus(docs);
    }

    /**
     * Reads every {@code *.txt} file below {@code dir} as one document, in sorted relative-path order.
     *
     * @throws IOException naming a file that is unreadable or not UTF-8, or if {@code dir} is not a folder
     */
    public static TextCorpus fromDirectory(Path dir) throws IOException {
        List<String> docs = new ArrayList<>();
        for (Path file : SortedFiles.list(dir, ".txt")) {
            String doc = Utf8Files.read(file);
            if (!doc.isBlank()) {
                docs.add(doc);
            }
        }
        return new TextCorpus(docs);
    }

    private static void flush(StringBuilder current, List<String> docs) {
        if (current.length() > 0) {
            docs.add(current.toString());
            current.setLength(0);
        }
    }

    /** The documents, in order. */
    public List<String> documents() {
        return documents;
    }

    /** Number of documents. */
    public int size() {
        return documents.size();
    }

    /**
     * Deterministic split: the last {@code round(size * validFraction)} documents become the validation part,
     * the rest the training part (order preserved).
     *
     * @param validFraction in {@code [0, 1]}
     */
    public DataSplit<TextCorpus> split(double validFraction) {
        if (!(validFraction >= 0 && validFraction <= 1)) {
            throw new IllegalArgumentException("validFraction must be in [0, 1]: " + validFraction);
        }
        int valid = (int) Math.round(documents.size() * validFraction);
        int cut = documents.size() - valid;
        return new DataSplit<>(
                new TextCorpus(documents.subList(0, cut)), new TextCorpus(documents.subList(cut, documents.size())));
    }
}
