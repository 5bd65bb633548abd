package dev.perceiver.model.registry;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.config.ModelConfig;
import dev.perceiver.nn.Module;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/** A {@link ModelKind} made of its parts (see {@link ModelKind#builder}). */
record DefinedModelKind<C extends ModelConfig, M extends Module>(
        String modelType,
        List<String> architectures,
        String task,
        Class<M> moduleClass,
        Function<JsonNode, C> reader,
        BiFunction<NDManager, C, M> factory,
        Function<M, C> configOf)
        implements ModelKind<C, M> {

    @Override
    public C readConfig(JsonNode modelConfig) {
        return reader.apply(modelConfig);
    }

    @Override
    public M create(NDManager manager, C config) {
        return factory.apply(manager, config);
    }

    @Override
    public C config(M model) {
        return configOf.apply(model);
    }

    @Override
    public String toString() {
        return modelType;
    }
}
