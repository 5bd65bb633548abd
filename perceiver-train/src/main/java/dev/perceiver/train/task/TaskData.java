package dev.perceiver.train.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.audio.MidiEventCodec;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.train.data.ClassificationCollator;
import dev.perceiver.train.data.ClassificationFiles;
import dev.perceiver.train.data.ClmCollator;
import dev.perceiver.train.data.ClmDataset;
import dev.perceiver.train.data.DataSplit;
import dev.perceiver.train.data.FashionMnistSubset;
import dev.perceiver.train.data.IdxDataset;
import dev.perceiver.train.data.ImdbFolder;
import dev.perceiver.train.data.LabelVocabulary;
import dev.perceiver.train.data.MidiFolderDataset;
import dev.perceiver.train.data.MlmCollator;
import dev.perceiver.train.data.MlmDataset;
import dev.perceiver.train.data.RandomTruncation;
import dev.perceiver.train.data.TextClassificationData;
import dev.perceiver.train.data.TextCorpus;
import dev.perceiver.train.data.TokenMasker;
import dev.perceiver.train.data.WordMasker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Loads a task's data from its {@code data.*} options (reference names where the reference has them). */
public final class TaskData {
    private TaskData() {}

    /**
     * Loads the data of {@code kind}; {@code seed} fixes the data order and masking. The text tasks open the
     * tokenizer of {@code data.tokenizer} ({@link Tokenizer#open}); the model's {@code vocab_size} follows it.
     */
    public static LoadedData load(TaskKind kind, JsonNode d, long seed) throws IOException {
        Tokenizer tok = switch (kind) {
            case MLM, CLM, TEXT_CLASSIFIER ->
                Tokenizer.open(d.path("tokenizer").asText(Tokenizer.BYTES_TOKENIZER_NAME));
            default -> null;
        };
        try {
            return load(kind, d, seed, tok);
        } catch (IOException | RuntimeException e) {
            if (tok != null) {
                tok.close();
            }
            throw e;
        }
    }

    private static LoadedData load(TaskKind kind, JsonNode d, long seed, Tokenizer tok) throws IOException {
        int batchSize = positive(d, "batch_size");
        int validBatchSize = d.path("valid_batch_size").isNull() ? batchSize : positive(d, "valid_batch_size");
        boolean shuffle = d.path("shuffle").asBoolean(true);
        String dir =
                d.path("dataset_dir").isNull() ? null : d.get("dataset_dir").asText();
        ObjectNode links = ConfigJson.MAPPER.createObjectNode();
        switch (kind) {
            case IMAGE_CLASSIFIER -> {
                DataSplit<IdxDataset> split;
                String source;
                String[] labels;
                if (dir == null) {
                    split = FashionMnistSubset.load();
                    source = "embedded Fashion-MNIST subset";
                    labels = FashionMnistSubset.CLASS_NAMES.toArray(new String[0]);
                } else {
                    Path p = existingDir(dir, "data.dataset_dir");
                    split = new DataSplit<>(IdxDataset.loadDirectory(p, true), IdxDataset.loadDirectory(p, false));
                    source = p.toString();
                    labels = null;
                }
                ImageData data =
                        new ImageData(split.train(), split.valid(), batchSize, validBatchSize, shuffle, seed, source);
                ObjectNode enc = links.putObject("encoder");
                int[] shape = split.train().imageShape();
                enc.putArray("image_shape").add(shape[0]).add(shape[1]).add(shape[2]);
                links.putObject("decoder").put("num_classes", split.train().numClasses());
                return new LoadedData(data, links, labels, Double.NaN);
            }
            case CLM, MLM -> {
                int maxSeqLen = positive(d, "max_seq_len");
                double validFraction = d.path("valid_fraction").asDouble();
                if (!(validFraction > 0 && validFraction < 1)) {
                    throw new IllegalArgumentException("data.valid_fraction (" + validFraction + ") must be in (0, 1)");
                }
                List<String> docs;
                String source;
                if (dir == null) {
                    docs = EmbeddedText.paragraphs();
                    source = "embedded US founding documents (public domain)";
                } else {
                    Path p = Path.of(dir);
                    if (!Files.exists(p)) {
                        throw new NoSuchFileException(dir, null, "data.dataset_dir does not exist");
                    }
                    docs = TextCorpus.load(p).documents();
                    source = p.toString();
                }
                DataSplit<TextCorpus> split = new TextCorpus(docs).split(validFraction);
                if (split.valid().size() == 0 || split.train().size() == 0) {
                    throw new IllegalArgumentException("data.valid_fraction (" + validFraction + ") leaves an empty "
                            + "training or validation part of " + docs.size() + " documents");
                }
                double entropy = unigramEntropy(tok, split.train().documents());
                if (kind == TaskKind.CLM) {
                    links.put("vocab_size", tok.vocabSize());
                    links.put("max_seq_len", maxSeqLen);
                    ClmDataset train = ClmDataset.fromDocuments(split.train().documents(), tok, maxSeqLen);
                    ClmDataset valid = ClmDataset.fromDocuments(split.valid().documents(), tok, maxSeqLen);
                    RandomTruncation trunc = d.path("random_train_truncation").asBoolean(false)
                            ? new RandomTruncation(positive(d, "random_min_seq_len"))
                            : null;
                    ClmCollator trainCollator = new ClmCollator(tok.padTokenId(), trunc);
                    ClmCollator validCollator = new ClmCollator(tok.padTokenId(), null);
                    LmData data = new LmData(
                            train.size(),
                            valid.size(),
                            batchSize,
                            validBatchSize,
                            shuffle,
                            seed,
                            (idx, rnd, isTrain) -> isTrain
                                    ? trainCollator.collate(train, idx, rnd)
                                    : validCollator.collate(valid, idx, rnd),
                            source + ": " + train.size() + " training and " + valid.size() + " validation sequences"
                                    + " of " + maxSeqLen + " bytes");
                    return new LoadedData(data, links, null, entropy, tok);
                }
                ObjectNode enc = links.putObject("encoder");
                enc.put("vocab_size", tok.vocabSize());
                enc.put("max_seq_len", maxSeqLen);
                ObjectNode dec = links.putObject("decoder");
                dec.put("vocab_size", tok.vocabSize());
                dec.put("max_seq_len", maxSeqLen);
                boolean eos = d.path("add_eos_token").asBoolean(true);
                MlmDataset train = MlmDataset.build(split.train().documents(), tok, maxSeqLen, eos);
                MlmDataset valid = MlmDataset.build(split.valid().documents(), tok, maxSeqLen, eos);
                double maskProb = d.path("mask_prob").asDouble();
                if (!(maskProb > 0 && maskProb < 1)) {
                    throw new IllegalArgumentException("data.mask_prob (" + maskProb + ") must be in (0, 1)");
                }
                MlmCollator collator = new MlmCollator(
                        d.path("mask_words").asBoolean(true)
                                ? new WordMasker(tok, maskProb)
                                : new TokenMasker(tok, maskProb),
                        tok.padTokenId());
                LmData data = new LmData(
                        train.size(),
                        valid.size(),
                        batchSize,
                        validBatchSize,
                        shuffle,
                        seed,
                        (idx, rnd, isTrain) -> collator.collate((isTrain ? train : valid).examples(idx), rnd),
                        source + ": " + train.size() + " training and " + valid.size() + " validation sequences of "
                                + maxSeqLen + " bytes");
                return new LoadedData(data, links, null, entropy, tok);
            }
            case TEXT_CLASSIFIER -> {
                int maxSeqLen = positive(d, "max_seq_len");
                DataSplit<TextClassificationData> split;
                String source;
                boolean files =
                        !d.path("train_file").isNull() || !d.path("valid_file").isNull();
                if (files) {
                    if (dir != null
                            || d.path("train_file").isNull()
                            || d.path("valid_file").isNull()) {
                        throw new IllegalArgumentException("text-classifier data: give either data.dataset_dir (an "
                                + "IMDb aclImdb folder) or both data.train_file and data.valid_file (CSV/JSONL)");
                    }
                    LabelVocabulary vocab = new LabelVocabulary();
                    Path tf = Path.of(d.get("train_file").asText());
                    Path vf = Path.of(d.get("valid_file").asText());
                    split = new DataSplit<>(ClassificationFiles.read(tf, vocab), ClassificationFiles.read(vf, vocab));
                    source = tf + ", " + vf;
                } else if (dir != null) {
                    Path p = existingDir(dir, "data.dataset_dir");
                    split = ImdbFolder.loadSplits(p);
                    source = p.toString();
                } else {
                    throw new IllegalArgumentException("text-classifier needs data: --data.dataset_dir=DIR (IMDb "
                            + "aclImdb layout: train/{neg,pos}, test/{neg,pos}) or --data.train_file=FILE "
                            + "--data.valid_file=FILE (CSV or JSON Lines with text and label)");
                }
                ObjectNode enc = links.putObject("encoder");
                enc.put("vocab_size", tok.vocabSize());
                enc.put("max_seq_len", maxSeqLen);
                int numClasses = split.train().numClasses();
                links.putObject("decoder").put("num_classes", numClasses);
                String[] labels = split.train().labels().names().toArray(new String[0]);
                TextClassData data = new TextClassData(
                        split.train(),
                        split.valid(),
                        new ClassificationCollator(tok, maxSeqLen),
                        batchSize,
                        validBatchSize,
                        shuffle,
                        seed,
                        source);
                return new LoadedData(data, links, labels.length == numClasses ? labels : null, Double.NaN, tok);
            }
            case SYMBOLIC_AUDIO -> {
                if (dir == null) {
                    throw new IllegalArgumentException("symbolic-audio needs --data.dataset_dir=DIR with train/ and "
                            + "valid/ folders of MIDI files (*.mid, *.midi)");
                }
                Path p = existingDir(dir, "data.dataset_dir");
                int maxSeqLen = positive(d, "max_seq_len");
                MidiFolderDataset train = MidiFolderDataset.load(
                        existingDir(p.resolve("train").toString(), "data.dataset_dir/train"),
                        MidiEventCodec::encode,
                        maxSeqLen);
                MidiFolderDataset valid = MidiFolderDataset.load(
                        existingDir(p.resolve("valid").toString(), "data.dataset_dir/valid"),
                        MidiEventCodec::encode,
                        maxSeqLen);
                links.put("vocab_size", MidiEventCodec.VOCAB_SIZE);
                links.put("max_seq_len", maxSeqLen);
                ClmCollator collator = new ClmCollator(MidiEventCodec.PAD_ID, null);
                LmData data = new LmData(
                        train.size(),
                        valid.size(),
                        batchSize,
                        validBatchSize,
                        shuffle,
                        seed,
                        (idx, rnd, isTrain) -> collator.collate((isTrain ? train : valid).chunks(), idx, rnd),
                        p + ": " + train.files().size() + " training and "
                                + valid.files().size()
                                + " validation MIDI files, " + train.size() + " and " + valid.size()
                                + " sequences of " + maxSeqLen + " events");
                return new LoadedData(data, links, null, Double.NaN);
            }
            default -> throw new IllegalStateException();
        }
    }

    /** Entropy in nats of the token unigram distribution of the documents. */
    static double unigramEntropy(Tokenizer tok, List<String> docs) {
        long[] counts = new long[tok.vocabSize()];
        long total = 0;
        for (String doc : docs) {
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

    private static Path existingDir(String dir, String option) throws IOException {
        Path p = Path.of(dir);
        if (!Files.isDirectory(p)) {
            throw new NoSuchFileException(dir, null, option + " is not a directory");
        }
        return p;
    }

    private static int positive(JsonNode d, String name) {
        long v = d.path(name).asLong();
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("data." + name + " (" + d.path(name) + ") must be a positive integer");
        }
        return (int) v;
    }
}
