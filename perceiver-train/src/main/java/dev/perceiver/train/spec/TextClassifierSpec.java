package dev.perceiver.train.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.config.DataOptions;
import dev.perceiver.train.config.OptionReader;
import dev.perceiver.train.config.TrainerDefaults;
import dev.perceiver.train.data.ClassificationCollator;
import dev.perceiver.train.data.ClassificationFiles;
import dev.perceiver.train.data.DataSplit;
import dev.perceiver.train.data.ImdbFolder;
import dev.perceiver.train.data.LabelVocabulary;
import dev.perceiver.train.data.TextClassificationData;
import dev.perceiver.train.optim.LrScheduleConfig;
import dev.perceiver.train.task.ClassificationTask;
import dev.perceiver.train.task.TextClassificationDataModule;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code text-classifier}: a Perceiver IO text classifier on the tokens of {@code data.tokenizer} (UTF-8 bytes by
 * default) of labelled texts, from an IMDb {@code aclImdb} folder ({@code data.dataset_dir}) or from CSV / JSON Lines
 * files ({@code data.train_file}, {@code data.valid_file}). The data determines the encoder's {@code vocab_size} (the
 * tokenizer's) and {@code max_seq_len} and the decoder's {@code num_classes}; the loss is the cross-entropy of the
 * class logits.
 */
public final class TextClassifierSpec implements TrainingSpec<TextClassifierSpec.Options> {
    /**
     * The {@code data} options of text-classifier.
     *
     * @param tokenizer {@value Tokenizer#BYTES_TOKENIZER_NAME}, a tokenizer.json file or a folder holding one
     * @param trainFile CSV or JSON Lines file of training texts and labels, or null
     * @param validFile CSV or JSON Lines file of validation texts and labels, or null
     * @param maxSeqLen tokens per text (longer texts are truncated)
     */
    public record Options(DataOptions common, String tokenizer, String trainFile, String validFile, int maxSeqLen) {
        /** Validates the range. */
        public Options {
            TokenizerOption.check(tokenizer);
            if (maxSeqLen < 1) {
                throw new IllegalArgumentException("data.max_seq_len (" + maxSeqLen + ") must be a positive integer");
            }
        }

        static final Options DEFAULTS =
                new Options(DataOptions.defaults(16), Tokenizer.BYTES_TOKENIZER_NAME, null, null, 512);

        ObjectNode toOptions() {
            return common.toOptions(d -> {
                d.put(TokenizerOption.NAME, tokenizer);
                putText(d, "train_file", trainFile);
                putText(d, "valid_file", validFile);
                d.put("max_seq_len", (long) maxSeqLen);
            });
        }

        private static void putText(ObjectNode d, String name, String value) {
            if (value == null) {
                d.putNull(name);
            } else {
                d.put(name, value);
            }
        }

        static Options parse(JsonNode data) {
            OptionReader d = new OptionReader(data, "data");
            DataOptions common = DataOptions.parse(data);
            return new Options(
                    common,
                    TokenizerOption.parse(d),
                    d.text("train_file"),
                    d.text("valid_file"),
                    d.positiveInt("max_seq_len"));
        }
    }

    @Override
    public String name() {
        return "text-classifier";
    }

    @Override
    public String modelType() {
        return "perceiver-io-text-classifier";
    }

    @Override
    public ObjectNode modelDefaults() {
        DecoderConfig d =
                DecoderConfig.builder().numCrossAttentionHeads(1).dropout(0.1).build();
        ObjectNode m = PerceiverIOConfig.builder(
                        TextEncoderConfig.builder()
                                .base(MaskedLmSpec.textEncoderBase())
                                .numInputChannels(64)
                                .build(),
                        ClassificationDecoderConfig.builder()
                                .base(d)
                                .numOutputQueryChannels(64)
                                .build())
                .numLatents(64)
                .numLatentChannels(128)
                .build()
                .toJson();
        return ModelDefaults.withoutLinked(
                m, "encoder.vocab_size", "encoder.max_seq_len", "encoder.params", "decoder.num_classes");
    }

    @Override
    public ObjectNode dataDefaults() {
        return Options.DEFAULTS.toOptions();
    }

    @Override
    public LrScheduleConfig lrSchedulerDefaults() {
        return new LrScheduleConfig.ConstantWithWarmup(100);
    }

    @Override
    public TrainerDefaults trainerDefaults() {
        return new TrainerDefaults(-1, 10, 1.0, 0.0, 50);
    }

    @Override
    public Options dataOptions(JsonNode data) {
        return Options.parse(data);
    }

    @Override
    public LoadedData loadData(Options options, long seed) throws IOException {
        return TokenizerOption.load(options.tokenizer(), tok -> loadData(options, seed, tok));
    }

    private static LoadedData loadData(Options options, long seed, Tokenizer tok) throws IOException {
        DataSplit<TextClassificationData> split = readSplit(options);
        int numClasses = split.train().numClasses();
        String[] labels = split.train().labels().names().toArray(new String[0]);
        DataOptions common = options.common();
        TextClassificationDataModule data = new TextClassificationDataModule(
                split.train(),
                split.valid(),
                new ClassificationCollator(tok, options.maxSeqLen()),
                common.batchSize(),
                common.effectiveValidBatchSize(),
                common.shuffle(),
                seed,
                source(options));
        ObjectNode links = JsonNodeFactory.instance.objectNode();
        links.putObject("encoder").put("vocab_size", tok.vocabSize()).put("max_seq_len", options.maxSeqLen());
        links.putObject("decoder").put("num_classes", numClasses);
        return new LoadedData(data, links, labels.length == numClasses ? labels : null, Double.NaN, tok);
    }

    /** The labelled texts of the IMDb folder or of the two files. */
    private static DataSplit<TextClassificationData> readSplit(Options options) throws IOException {
        String dir = options.common().datasetDir();
        if (options.trainFile() != null || options.validFile() != null) {
            if (dir != null || options.trainFile() == null || options.validFile() == null) {
                throw new IllegalArgumentException("text-classifier data: give either data.dataset_dir (an "
                        + "IMDb aclImdb folder) or both data.train_file and data.valid_file (CSV/JSONL)");
            }
            LabelVocabulary vocab = new LabelVocabulary();
            return new DataSplit<>(
                    ClassificationFiles.read(Path.of(options.trainFile()), vocab),
                    ClassificationFiles.read(Path.of(options.validFile()), vocab));
        } else if (dir != null) {
            return ImdbFolder.loadSplits(DataPaths.existingDir(dir, "data.dataset_dir"));
        }
        throw new IllegalArgumentException("text-classifier needs data: --data.dataset_dir=DIR (IMDb "
                + "aclImdb layout: train/{neg,pos}, test/{neg,pos}) or --data.train_file=FILE "
                + "--data.valid_file=FILE (CSV or JSON Lines with text and label)");
    }

    /** Where the texts come from, for the log. */
    private static String source(Options options) {
        return options.trainFile() != null
                ? Path.of(options.trainFile()) + ", " + Path.of(options.validFile())
                : Path.of(options.common().datasetDir()).toString();
    }

    @Override
    public TrainingTask task(Module model, LoadedData data) {
        return new ClassificationTask((PerceiverIO) model, data.labels(), data.tokenizer());
    }
}
