package dev.perceiver.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the IMDb sentiment data set in its original folder layout: {@code train/neg}, {@code train/pos},
 * {@code test/neg}, {@code test/pos} (and optionally {@code train/unsup}) of UTF-8 {@code .txt} files, one
 * review per file. Label 0 = neg, 1 = pos; negative reviews come first, each group in sorted file-name order.
 */
public final class ImdbFolder {
    private ImdbFolder() {}

    /** The label vocabulary used: {@code neg} = 0, {@code pos} = 1. */
    public static LabelVocabulary labels() {
        return LabelVocabulary.of("neg", "pos");
    }

    /**
     * Loads the {@code train} or {@code test} part below {@code root}.
     *
     * @throws IOException if a folder is missing or a file is unreadable / not UTF-8 (naming it)
     */
    public static TextClassificationData load(Path root, boolean train) throws IOException {
        Path split = root.resolve(train ? "train" : "test");
        LabelVocabulary labels = labels();
        List<LabeledText> examples = new ArrayList<>();
        for (String name : labels.names()) {
            Path dir = split.resolve(name);
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + ": IMDb folder missing");
            }
            int label = labels.idOf(name);
            for (Path file : SortedFiles.list(dir, ".txt")) {
                examples.add(new LabeledText(Utf8Files.read(file), label));
            }
        }
        return new TextClassificationData(examples, labels);
    }

    /** Loads {@code train} as the training part and {@code test} as the validation part. */
    public static DataSplit<TextClassificationData> loadSplits(Path root) throws IOException {
        return new DataSplit<>(load(root, true), load(root, false));
    }

    /** The unlabelled reviews of {@code train/unsup} as a corpus (for masked language modelling). */
    public static TextCorpus unsupervised(Path root) throws IOException {
        return TextCorpus.fromDirectory(root.resolve("train").resolve("unsup"));
    }
}
