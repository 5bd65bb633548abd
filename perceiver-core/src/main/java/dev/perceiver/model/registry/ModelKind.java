package dev.perceiver.model.registry;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ModelConfig;
import dev.perceiver.nn.Module;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

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

    /** Reads {@code modelConfig} and builds a freshly initialised model from it. */
    default M createFromJson(NDManager manager, JsonNode modelConfig) {
        return create(manager, readConfig(modelConfig));
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
            return new DefinedModelKind<>(modelType, architectures, task, moduleClass, reader, factory, configOf);
        }
    }
}
