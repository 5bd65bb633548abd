package dev.perceiver.train.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.config.DataOptions;
import dev.perceiver.train.config.OptionReader;
import dev.perceiver.train.config.TrainerDefaults;
import dev.perceiver.train.data.MlmCollator;
import dev.perceiver.train.data.MlmDataset;
import dev.perceiver.train.data.TokenMasker;
import dev.perceiver.train.data.WordMasker;
import dev.perceiver.train.optim.LrScheduleConfig;
import dev.perceiver.train.task.LmDataModule;
import dev.perceiver.train.task.MaskedLmTask;
import java.io.IOException;

/**
 * {@code mlm}: a Perceiver IO masked language model on the tokens of {@code data.tokenizer} (UTF-8 bytes by default)
 * of embedded text or {@code data.dataset_dir}, whole words or single tokens masked with probability
 * {@code mask_prob}. The data determines the encoder's and decoder's {@code vocab_size} (the tokenizer's) and
 * {@code max_seq_len}; the loss is the cross-entropy at the masked positions.
 */
public final class MaskedLmSpec implements TrainingSpec<MaskedLmSpec.Options> {
    /**
     * The {@code data} options of mlm.
     *
     * @param tokenizer {@value Tokenizer#BYTES_TOKENIZER_NAME}, a tokenizer.json file or a folder holding one
     * @param validFraction fraction (0, 1) of the documents used for validation
     * @param maxSeqLen tokens per sequence
     * @param maskProb probability (0, 1) that a word (or token) is masked
     * @param maskWords mask whole words rather than single tokens
     * @param addEosToken end each document with the end-of-sequence token
     */
    public record Options(
            DataOptions common,
            String tokenizer,
            double validFraction,
            int maxSeqLen,
            double maskProb,
            boolean maskWords,
            boolean addEosToken) {
        /** Validates the ranges. */
        public Options {
            TokenizerOption.check(tokenizer);
            if (!(validFraction > 0 && validFraction < 1)) {
                throw new IllegalArgumentException("data.valid_fraction (" + validFraction + ") must be in (0, 1)");
            }
            if (maxSeqLen < 1) {
                throw new IllegalArgumentException("data.max_seq_len (" + maxSeqLen + ") must be a positive integer");
            }
            if (!(maskProb > 0 && maskProb < 1)) {
                throw new IllegalArgumentException("data.mask_prob (" + maskProb + ") must be in (0, 1)");
            }
        }

        static final Options DEFAULTS =
                new Options(DataOptions.defaults(16), Tokenizer.BYTES_TOKENIZER_NAME, 0.1, 256, 0.15, true, true);

        ObjectNode toOptions() {
            return common.toOptions(d -> d.put(TokenizerOption.NAME, tokenizer)
                    .put("valid_fraction", validFraction)
                    .put("max_seq_len", (long) maxSeqLen)
                    .put("mask_prob", maskProb)
                    .put("mask_words", maskWords)
                    .put("add_eos_token", addEosToken));
        }

        static Options parse(JsonNode data) {
            OptionReader d = new OptionReader(data, "data");
            DataOptions common = DataOptions.parse(data);
            int maxSeqLen = d.positiveInt("max_seq_len");
            return new Options(
                    common,
                    TokenizerOption.parse(d),
                    d.openUnitFraction("valid_fraction"),
                    maxSeqLen,
                    d.openUnitFraction("mask_prob"),
                    d.bool("mask_words", true),
                    d.bool("add_eos_token", true));
        }
    }

    @Override
    public String name() {
        return "mlm";
    }

    @Override
    public String modelType() {
        return "perceiver-io-masked-language-model";
    }

    @Override
    public ObjectNode modelDefaults() {
        DecoderConfig d = DecoderConfig.builder()
                .numCrossAttentionHeads(4)
                .crossAttentionResidual(false)
                .dropout(0.1)
                .build();
        ObjectNode m = PerceiverIOConfig.builder(
                        TextEncoderConfig.builder()
                                .base(textEncoderBase())
                                .numInputChannels(64)
                                .build(),
                        TextDecoderConfig.builder().base(d).build())
                .numLatents(64)
                .numLatentChannels(128)
                .build()
                .toJson();
        return ModelDefaults.withoutLinked(
                m,
                "encoder.vocab_size",
                "encoder.max_seq_len",
                "encoder.params",
                "decoder.vocab_size",
                "decoder.max_seq_len");
    }

    /** The encoder defaults of the Perceiver IO text tasks (mlm, text-classifier). */
    static EncoderConfig textEncoderBase() {
        return EncoderConfig.builder()
                .numCrossAttentionHeads(4)
                .numSelfAttentionHeads(4)
                .numSelfAttentionLayersPerBlock(3)
                .dropout(0.1)
                .build();
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
        TextDocuments docs = TextDocuments.load(options.common().datasetDir(), options.validFraction());
        int maxSeqLen = options.maxSeqLen();
        MlmDataset train = MlmDataset.build(docs.train(), tok, maxSeqLen, options.addEosToken());
        MlmDataset valid = MlmDataset.build(docs.valid(), tok, maxSeqLen, options.addEosToken());
        MlmCollator collator = new MlmCollator(
                options.maskWords()
                        ? new WordMasker(tok, options.maskProb())
                        : new TokenMasker(tok, options.maskProb()),
                tok.padTokenId());
        DataOptions common = options.common();
        LmDataModule data = new LmDataModule(
                train.size(),
                valid.size(),
                common.batchSize(),
                common.effectiveValidBatchSize(),
                common.shuffle(),
                seed,
                (idx, rnd, isTrain) -> collator.collate((isTrain ? train : valid).examples(idx), rnd),
                docs.source() + ": " + train.size() + " training and " + valid.size() + " validation sequences of "
                        + maxSeqLen + " tokens");
        return new LoadedData(data, links(tok.vocabSize(), maxSeqLen), null, docs.trainUnigramEntropy(tok), tok);
    }

    /** The encoder's and decoder's {@code vocab_size} and {@code max_seq_len}. */
    private static ObjectNode links(int vocabSize, int maxSeqLen) {
        ObjectNode links = JsonNodeFactory.instance.objectNode();
        links.putObject("encoder").put("vocab_size", vocabSize).put("max_seq_len", maxSeqLen);
        links.putObject("decoder").put("vocab_size", vocabSize).put("max_seq_len", maxSeqLen);
        return links;
    }

    @Override
    public TrainingTask task(Module model, LoadedData data) {
        return new MaskedLmTask((MaskedLanguageModel) model, data.tokenizer());
    }
}
