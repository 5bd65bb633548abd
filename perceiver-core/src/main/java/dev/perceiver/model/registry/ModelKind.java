package dev.perceiver.model.registry;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ModelConfig;
import dev.perceiver.model.limits.ModelMemoryEstimate;
import dev.perceiver.nn.Module;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One kind of task model as model folders name it: the {@code model_type} and {@code architectures} of a
 * {@code config.json}, the task it serves, how its {@code model_config} is read into a typed config, how a model is
 * built from that config and how a model's config is written back. Kinds are found through {@link ModelKinds};
 * a task package defines its kinds with {@link #builder} and registers them with a {@link ModelKindProvider}.
 *
 * @param <C> the typed model config
 * @param <M> the module class the kind builds
 */
public interface ModelKind<C extends ModelConfig, M extends Module> {
    /** Key prefix of the weights in the reference's model folders ({@code backend_model.}). */
    String WEIGHT_PREFIX = "backend_model.";

    /** The {@code model_type} of config.json, e.g. {@code perceiver-io-image-classifier}. */
    String modelType();

    /** The architecture (model class) names this kind answers to; the first is the one written on save. */
    List<String> architectures();

    /** The task the model serves, as Hugging Face pipelines name it, e.g. {@code image-classification}. */
    String task();

    /** The class of the models this kind builds. */
    Class<M> moduleClass();

    /** Reads a {@code model_config} object (reference field names); a bad field is an error that names it. */
    C readConfig(JsonNode modelConfig);

    /** Builds a freshly initialised model; its parameters live in {@code manager}. */
    M create(NDManager manager, C config);

    /** The config a model was built from. */
    C config(M model);

    /** The architecture name written to config.json. */
    default String architecture() {
        return architectures().get(0);
    }

    /**
     * Where the model config sits in a folder's whole {@code config.json}, in the form {@link #readConfig} reads: by
     * default its {@code model_config} entry (the reference's layout); a kind of another layout may derive it from the
     * whole file (e.g. Hugging Face's {@code PerceiverConfig}).
     *
     * @return the model config, or null when the file has none
     */
    default JsonNode modelConfig(ObjectNode configJson) {
        return configJson.get("model_config");
    }

    /**
     * The state-dict key of a weight-file key: by default the key without {@link #WEIGHT_PREFIX}, or null (not a model
     * weight, ignored) for a key without it. A kind of another layout maps its own names; a name it does not know is
     * returned unchanged, so that strict loading reports it as unexpected.
     */
    default String stateDictKey(String fileKey) {
        return fileKey.startsWith(WEIGHT_PREFIX) ? fileKey.substring(WEIGHT_PREFIX.length()) : null;
    }

    /**
     * The kind a loaded model of this kind is, and is saved as: itself, or, for a kind that reads another layout of
     * the same model (same module class), that model's own kind. {@link ModelKinds#forModel} only returns kinds that
     * are their own.
     */
    default ModelKind<?, M> savedAs() {
        return this;
    }

    /**
     * Reads {@code modelConfig} and builds a freshly initialised model from it, after checking that its estimated
     * memory fits ({@link ModelMemoryEstimate}: fails naming the field before anything is allocated).
     */
    default M createFromJson(NDManager manager, JsonNode modelConfig) {
        C config = readConfig(modelConfig);
        ModelMemoryEstimate.check(modelConfig);
        return create(manager, config);
    }

    /** The {@code model_config} of a model of this kind (reference field names). */
    default ObjectNode writeConfig(Module model) {
        return config(cast(model)).toJson();
    }

    /** The model as this kind's class; an error names the model's class and this kind. */
    default M cast(Module model) {
        if (!moduleClass().isInstance(model)) {
            throw new IllegalArgumentException("model " + model.getClass().getSimpleName() + " is not a "
                    + moduleClass().getSimpleName() + " (model_type " + modelType() + ")");
        }
        return moduleClass().cast(model);
    }

    /**
     * Starts the definition of a kind: {@code model_type} and module class, then {@link Start#configReader}, then the
     * remaining parts of {@link Builder}.
     */
    static <M extends Module> Start<M> builder(String modelType, Class<M> moduleClass) {
        return new Start<>(modelType, moduleClass);
    }

    /** First step of {@link #builder}: fixes the config type with the reader. */
    final class Start<M extends Module> {
        private final String modelType;
        private final Class<M> moduleClass;

        private Start(String modelType, Class<M> moduleClass) {
            this.modelType = Objects.requireNonNull(modelType, "modelType");
            this.moduleClass = Objects.requireNonNull(moduleClass, "moduleClass");
        }

        /** The reader of {@code model_config}. */
        public <C extends ModelConfig> Builder<C, M> configReader(Function<JsonNode, C> reader) {
            return new Builder<>(modelType, moduleClass, reader);
        }
    }

    /** Builder of a {@link ModelKind}; architectures, task, factory and config accessor are required. */
    final class Builder<C extends ModelConfig, M extends Module> {
        private final String modelType;
        private final Class<M> moduleClass;
        private final Function<JsonNode, C> reader;
        private List<String> architectures = List.of();
        private String task;
        private BiFunction<NDManager, C, M> factory;
        private Function<M, C> configOf;
        private Function<ObjectNode, JsonNode> modelConfigOf = json -> json.get("model_config");
        private UnaryOperator<String> stateDictKeys;
        private ModelKind<?, M> savedAs;

        private Builder(String modelType, Class<M> moduleClass, Function<JsonNode, C> reader) {
            this.modelType = modelType;
            this.moduleClass = moduleClass;
            this.reader = Objects.requireNonNull(reader, "reader");
        }

        /** Architecture names, the one written on save first. */
        public Builder<C, M> architectures(String... names) {
            this.architectures = List.of(names);
            return this;
        }

        /** The task name (Hugging Face pipeline name). */
        public Builder<C, M> task(String name) {
            this.task = name;
            return this;
        }

        /** Builds a model from a config (usually the model's constructor). */
        public Builder<C, M> factory(BiFunction<NDManager, C, M> value) {
            this.factory = value;
            return this;
        }

        /** The config of a model (usually its {@code config()} accessor). */
        public Builder<C, M> configOf(Function<M, C> value) {
            this.configOf = value;
            return this;
        }

        /** Where the model config sits in config.json (default: its {@code model_config} entry). */
        public Builder<C, M> modelConfig(Function<ObjectNode, JsonNode> value) {
            this.modelConfigOf = Objects.requireNonNull(value, "modelConfig");
            return this;
        }

        /** Maps weight-file keys to state-dict keys (default: strips {@link ModelKind#WEIGHT_PREFIX}). */
        public Builder<C, M> stateDictKeys(UnaryOperator<String> value) {
            this.stateDictKeys = Objects.requireNonNull(value, "stateDictKeys");
            return this;
        }

        /** The model's own kind, for a kind that reads another layout of it (see {@link ModelKind#savedAs}). */
        public Builder<C, M> savedAs(ModelKind<?, M> value) {
            this.savedAs = Objects.requireNonNull(value, "savedAs");
            return this;
        }

        /** The kind; an error names the missing part. */
        public ModelKind<C, M> build() {
            if (modelType.isBlank()) {
                throw new IllegalArgumentException("model_type of " + moduleClass.getSimpleName() + " is blank");
            }
            if (architectures.isEmpty()) {
                throw new IllegalArgumentException("model kind " + modelType + " needs at least one architecture");
            }
            if (task == null || task.isBlank()) {
                throw new IllegalArgumentException("model kind " + modelType + " needs a task name");
            }
            Objects.requireNonNull(factory, "factory of model kind " + modelType);
            Objects.requireNonNull(configOf, "configOf of model kind " + modelType);
            return new DefinedModelKind<>(
                    modelType,
                    architectures,
                    task,
                    moduleClass,
                    reader,
                    factory,
                    configOf,
                    modelConfigOf,
                    stateDictKeys,
                    savedAs);
        }
    }
}
