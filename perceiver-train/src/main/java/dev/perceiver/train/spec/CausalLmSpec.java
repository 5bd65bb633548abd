package dev.perceiver.train.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.config.DataOptions;
import dev.perceiver.train.config.OptionReader;
import dev.perceiver.train.config.TrainerDefaults;
import dev.perceiver.train.data.ClmCollator;
import dev.perceiver.train.data.ClmDataset;
import dev.perceiver.train.data.RandomTruncation;
import dev.perceiver.train.optim.LrScheduleConfig;
import dev.perceiver.train.task.CausalLmTask;
import dev.perceiver.train.task.LmDataModule;
import java.io.IOException;

/**
 * {@code clm}: a Perceiver AR causal language model on the tokens of {@code data.tokenizer} (UTF-8 bytes by default)
 * of embedded text or {@code data.dataset_dir}, optionally with training sequences truncated at random. The data
 * determines {@code vocab_size} (the tokenizer's) and {@code max_seq_len}; the loss is the next-token cross-entropy at
 * the latent positions.
 */
public final class CausalLmSpec implements TrainingSpec<CausalLmSpec.Options> {
    /** The lr schedule of the Perceiver AR tasks (clm, symbolic-audio): cosine decay after 30 warmup steps. */
    static final LrScheduleConfig PERCEIVER_AR_SCHEDULE = new LrScheduleConfig.CosineWithWarmup(30, 0.5, 0.0);

    /**
     * The trainer defaults of the Perceiver AR tasks. The embedded text is small (about 50 KB): longer runs overfit
     * (val_loss 2.72 at step 100, 3.39 at step 400 with these settings).
     */
    static final TrainerDefaults PERCEIVER_AR_TRAINER = new TrainerDefaults(150, -1, 50.0, 0.5, 10);

    /**
     * The {@code data} options of clm.
     *
     * @param tokenizer {@value Tokenizer#BYTES_TOKENIZER_NAME}, a tokenizer.json file or a folder holding one
     * @param validFraction fraction (0, 1) of the documents used for validation
     * @param maxSeqLen tokens per sequence
     * @param randomTrainTruncation truncate training sequences to a random length in [randomMinSeqLen, maxSeqLen]
     * @param randomMinSeqLen shortest truncated length (checked only with {@code randomTrainTruncation})
     */
    public record Options(
            DataOptions common,
            String tokenizer,
            double validFraction,
            int maxSeqLen,
            boolean randomTrainTruncation,
            int randomMinSeqLen) {
        /** Validates the ranges. */
        public Options {
            TokenizerOption.check(tokenizer);
            if (!(validFraction > 0 && validFraction < 1)) {
                throw new IllegalArgumentException("data.valid_fraction (" + validFraction + ") must be in (0, 1)");
            }
            if (maxSeqLen < 1) {
                throw new IllegalArgumentException("data.max_seq_len (" + maxSeqLen + ") must be a positive integer");
            }
            if (randomTrainTruncation && randomMinSeqLen < 1) {
                throw new IllegalArgumentException(
                        "data.random_min_seq_len (" + randomMinSeqLen + ") must be a positive integer");
            }
        }

        static final Options DEFAULTS =
                new Options(DataOptions.defaults(16), Tokenizer.BYTES_TOKENIZER_NAME, 0.1, 256, false, 64);

        ObjectNode toOptions() {
            return common.toOptions(d -> d.put(TokenizerOption.NAME, tokenizer)
                    .put("valid_fraction", validFraction)
                    .put("max_seq_len", (long) maxSeqLen)
                    .put("random_train_truncation", randomTrainTruncation)
                    .put("random_min_seq_len", (long) randomMinSeqLen));
        }

        static Options parse(JsonNode data) {
            OptionReader d = new OptionReader(data, "data");
            DataOptions common = DataOptions.parse(data);
            int maxSeqLen = d.positiveInt("max_seq_len");
            double validFraction = d.openUnitFraction("valid_fraction");
            boolean truncate = d.bool("random_train_truncation", false);
            return new Options(
                    common,
                    TokenizerOption.parse(d),
                    validFraction,
                    maxSeqLen,
                    truncate,
                    truncate
                            ? d.positiveInt("random_min_seq_len")
                            : (int) data.path("random_min_seq_len").asLong());
        }
    }

    @Override
    public String name() {
        return "clm";
    }

    @Override
    public String modelType() {
        return "perceiver-ar-causal-language-model";
    }

    @Override
    public ObjectNode modelDefaults() {
        return perceiverArDefaults(true);
    }

    /** The default model of a Perceiver AR task; a text model ties its input and output embeddings. */
    static ObjectNode perceiverArDefaults(boolean text) {
        ObjectNode m = PerceiverARConfig.builder()
                .numHeads(4)
                .numSelfAttentionLayers(3)
                .crossAttentionDropout(0.1)
                .maxSeqLen(256)
                .maxLatents(64)
                .numChannels(128)
                .outputNorm(true)
                .outputBias(text)
                .absPosEmb(text)
                .build()
                .toJson();
        return ModelDefaults.withoutLinked(m, "vocab_size", "max_seq_len");
    }

    @Override
    public ObjectNode dataDefaults() {
        return Options.DEFAULTS.toOptions();
    }

    @Override
    public LrScheduleConfig lrSchedulerDefaults() {
        return PERCEIVER_AR_SCHEDULE;
    }

    @Override
    public TrainerDefaults trainerDefaults() {
        return PERCEIVER_AR_TRAINER;
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
        TextDocuments docs = TextDocuments.load(options.common().datasetDir(), options.validFraction());
        int maxSeqLen = options.maxSeqLen();
        ClmDataset train = ClmDataset.fromDocuments(docs.train(), tok, maxSeqLen);
        ClmDataset valid = ClmDataset.fromDocuments(docs.valid(), tok, maxSeqLen);
        RandomTruncation truncation =
                options.randomTrainTruncation() ? new RandomTruncation(options.randomMinSeqLen()) : null;
        ClmCollator trainCollator = new ClmCollator(tok.padTokenId(), truncation);
        ClmCollator validCollator = new ClmCollator(tok.padTokenId(), null);
        DataOptions common = options.common();
        LmDataModule data = new LmDataModule(
                train.size(),
                valid.size(),
                common.batchSize(),
                common.effectiveValidBatchSize(),
                common.shuffle(),
                seed,
                (idx, rnd, isTrain) ->
                        isTrain ? trainCollator.collate(train, idx, rnd) : validCollator.collate(valid, idx, rnd),
                docs.source() + ": " + train.size() + " training and " + valid.size() + " validation sequences" + " of "
                        + maxSeqLen + " tokens");
        return new LoadedData(data, links(tok.vocabSize(), maxSeqLen), null, docs.trainUnigramEntropy(tok), tok);
    }

    /** {@code vocab_size} and {@code max_seq_len} of a Perceiver AR model. */
    static ObjectNode links(int vocabSize, int maxSeqLen) {
        return JsonNodeFactory.instance
                .objectNode()
                .put("vocab_size", vocabSize)
                .put("max_seq_len", maxSeqLen);
    }

    @Override
    public TrainingTask task(Module model, LoadedData data) {
        return new CausalLmTask((CausalSequenceModel) model, data.tokenizer());
    }
}
