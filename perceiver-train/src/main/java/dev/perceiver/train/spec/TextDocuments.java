package dev.perceiver.train.spec;

import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.train.data.DataSplit;
import dev.perceiver.train.data.TextCorpus;
import dev.perceiver.train.task.EmbeddedText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The documents of the language-model tasks (mlm, clm), split into training and validation documents: the embedded
 * public-domain text, or {@code data.dataset_dir} (a text file of paragraphs or a folder of .txt files).
 *
 * @param source where the documents come from, for the log
 */
record TextDocuments(List<String> train, List<String> valid, String source) {
    /**
     * Reads and splits the documents.
     *
     * @param datasetDir {@code data.dataset_dir}, or null for the embedded text
     * @param validFraction {@code data.valid_fraction} in (0, 1)
     */
    static TextDocuments load(String datasetDir, double validFraction) throws IOException {
        List<String> docs;
        String source;
        if (datasetDir == null) {
            docs = EmbeddedText.paragraphs();
            source = "embedded US founding documents (public domain)";
        } else {
            Path p = Path.of(datasetDir);
            if (!Files.exists(p)) {
                throw new NoSuchFileException(datasetDir, null, "data.dataset_dir does not exist");
            }
            docs = TextCorpus.load(p).documents();
            source = p.toString();
        }
        DataSplit<TextCorpus> split = new TextCorpus(docs).split(validFraction);
        if (split.valid().size() == 0 || split.train().size() == 0) {
            throw new IllegalArgumentException("data.valid_fraction (" + validFraction + ") leaves an empty "
                    + "training or validation part of " + docs.size() + " documents");
        }
        return new TextDocuments(split.train().documents(), split.valid().documents(), source);
    }

    /** Entropy in nats of the token unigram distribution of the training documents. */
    double trainUnigramEntropy(Tokenizer tok) {
        long[] counts = new long[tok.vocabSize()];
        long total = 0;
        for (String doc : train) {
            for (long id : tok.encode(doc, false)) {
                counts[(int) id]++;
                total++;
            }
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p);
            }
        }
        return h;
    }
}
