package dev.perceiver.train.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.audio.MidiEventCodec;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.nn.Module;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.config.DataOptions;
import dev.perceiver.train.config.OptionReader;
import dev.perceiver.train.config.TrainerDefaults;
import dev.perceiver.train.data.ClmCollator;
import dev.perceiver.train.data.MidiFolderDataset;
import dev.perceiver.train.optim.LrScheduleConfig;
import dev.perceiver.train.task.CausalLmTask;
import dev.perceiver.train.task.LmDataModule;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code symbolic-audio}: a Perceiver AR symbolic audio model on MIDI event sequences from
 * {@code data.dataset_dir}/{train,valid}. The event vocabulary and {@code max_seq_len} are taken from the data; the
 * loss is the next-event cross-entropy at the latent positions.
 */
public final class SymbolicAudioSpec implements TrainingSpec<SymbolicAudioSpec.Options> {
    /**
     * The {@code data} options of symbolic-audio.
     *
     * @param maxSeqLen events per sequence
     */
    public record Options(DataOptions common, int maxSeqLen) {
        /** Validates the range. */
        public Options {
            if (maxSeqLen < 1) {
                throw new IllegalArgumentException("data.max_seq_len (" + maxSeqLen + ") must be a positive integer");
            }
        }

        static final Options DEFAULTS = new Options(DataOptions.defaults(8), 512);

        ObjectNode toOptions() {
            return common.toOptions(d -> d.put("max_seq_len", (long) maxSeqLen));
        }

        static Options parse(JsonNode data) {
            DataOptions common = DataOptions.parse(data);
            return new Options(common, new OptionReader(data, "data").positiveInt("max_seq_len"));
        }
    }

    @Override
    public String name() {
        return "symbolic-audio";
    }

    @Override
    public String modelType() {
        return "perceiver-ar-symbolic-audio-model";
    }

    @Override
    public ObjectNode modelDefaults() {
        return CausalLmSpec.perceiverArDefaults(false);
    }

    @Override
    public ObjectNode dataDefaults() {
        return Options.DEFAULTS.toOptions();
    }

    @Override
    public LrScheduleConfig lrSchedulerDefaults() {
        return CausalLmSpec.PERCEIVER_AR_SCHEDULE;
    }

    @Override
    public TrainerDefaults trainerDefaults() {
        return CausalLmSpec.PERCEIVER_AR_TRAINER;
    }

    @Override
    public Options dataOptions(JsonNode data) {
        return Options.parse(data);
    }

    @Override
    public LoadedData loadData(Options options, long seed) throws IOException {
        DataOptions common = options.common();
        if (common.datasetDir() == null) {
            throw new IllegalArgumentException("symbolic-audio needs --data.dataset_dir=DIR with train/ and "
                    + "valid/ folders of MIDI files (*.mid, *.midi)");
        }
        Path p = DataPaths.existingDir(common.datasetDir(), "data.dataset_dir");
        int maxSeqLen = options.maxSeqLen();
        MidiFolderDataset train = MidiFolderDataset.load(
                DataPaths.existingDir(p.resolve("train").toString(), "data.dataset_dir/train"),
                MidiEventCodec::encode,
                maxSeqLen);
        MidiFolderDataset valid = MidiFolderDataset.load(
                DataPaths.existingDir(p.resolve("valid").toString(), "data.dataset_dir/valid"),
                MidiEventCodec::encode,
                maxSeqLen);
        ClmCollator collator = new ClmCollator(MidiEventCodec.PAD_ID, null);
        LmDataModule data = new LmDataModule(
                train.size(),
                valid.size(),
                common.batchSize(),
                common.effectiveValidBatchSize(),
                common.shuffle(),
                seed,
                (idx, rnd, isTrain) -> collator.collate((isTrain ? train : valid).chunks(), idx, rnd),
                p + ": " + train.files().size() + " training and "
                        + valid.files().size() + " validation MIDI files, " + train.size() + " and " + valid.size()
                        + " sequences of " + maxSeqLen + " events");
        return new LoadedData(data, CausalLmSpec.links(MidiEventCodec.VOCAB_SIZE, maxSeqLen), null, Double.NaN);
    }

    @Override
    public TrainingTask task(Module model, LoadedData data) {
        return new CausalLmTask((CausalSequenceModel) model, null);
    }
}
