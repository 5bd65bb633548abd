package dev.perceiver.train.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.nn.Module;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.config.ModelOptions;
import dev.perceiver.train.config.TrainerDefaults;
import dev.perceiver.train.optim.AdamWConfig;
import dev.perceiver.train.optim.LrScheduleConfig;
import java.io.IOException;

/**
 * Everything {@code perceiver train TASK} knows about one task: its name, the {@code model_type} of the model it
 * trains, its default options (model, data, optimizer, lr_scheduler, trainer; the reference's names), how its data
 * is read and loaded, which model config fields the data determines (e.g. {@code vocab_size}, {@code num_classes},
 * {@code max_seq_len}: they are not options) and its loss ({@link #task}).
 *
 * <p>An implementation registers in {@code META-INF/services/dev.perceiver.train.spec.TrainingSpec} (one class name a
 * line, read by {@link TrainingSpecs} with {@link java.util.ServiceLoader}); it needs a public no-argument
 * constructor.
 *
 * @param <D> the task's typed {@code data} options
 */
public interface TrainingSpec<D> {
    /** Command-line name, e.g. {@code image-classifier}. */
    String name();

    /** {@code model_type} of the model this task trains, e.g. {@code perceiver-io-image-classifier}. */
    String modelType();

    /**
     * The installed model kind of {@link #modelType()} (model registry): it builds the model and writes its config;
     * an error names a {@code model_type} that no installed kind has.
     */
    default ModelKind<?, ?> modelKind() {
        return ModelKinds.installed().byModelType(modelType());
    }

    /** Default {@code model} section: the model config without the fields that the data determines. */
    ObjectNode modelDefaults();

    /** Default {@code data} section. */
    ObjectNode dataDefaults();

    /** Default optimizer settings (torch.optim.AdamW's unless a task says otherwise). */
    default AdamWConfig optimizerDefaults() {
        return AdamWConfig.defaults();
    }

    /** Default learning-rate schedule; its kind is the task's schedule. */
    LrScheduleConfig lrSchedulerDefaults();

    /** Defaults of the trainer options that tasks set. */
    TrainerDefaults trainerDefaults();

    /**
     * The full default option tree: {@code model}, {@code data}, {@code optimizer}, {@code lr_scheduler},
     * {@code trainer} and {@code seed_everything} (0). Its leaves are the valid options.
     */
    default ObjectNode defaults() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("model", modelDefaults());
        root.set("data", dataDefaults());
        root.set("optimizer", optimizerDefaults().toOptions());
        root.set("lr_scheduler", lrSchedulerDefaults().toOptions());
        root.set("trainer", trainerDefaults().toOptions());
        root.put("seed_everything", 0L);
        return root;
    }

    /** Reads and validates the resolved {@code data} section. */
    D dataOptions(JsonNode data);

    /** Loads the data; {@code seed} fixes the data order and masking. */
    LoadedData loadData(D options, long seed) throws IOException;

    /** Reads the {@code data} section and loads the data. */
    default LoadedData loadData(JsonNode data, long seed) throws IOException {
        return loadData(dataOptions(data), seed);
    }

    /** The config of the model to train: the model options with the data's fields filled in. */
    default ObjectNode modelConfig(ModelOptions model, LoadedData data) {
        return model.linked(data.modelLinks());
    }

    /** The model (of type {@link #modelType()}) with this task's loss. */
    TrainingTask task(Module model, LoadedData data);
}
