package dev.perceiver.model.registry;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ModelConfig;
import dev.perceiver.nn.Module;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A {@link ModelKind} made of its parts (see {@link ModelKind#builder}); a null {@code stateDictKeys} or
 * {@code savedAs} means the interface's default.
 */
record DefinedModelKind<C extends ModelConfig, M extends Module>(
        String modelType,
        List<String> architectures,
        String task,
        Class<M> moduleClass,
        Function<JsonNode, C> reader,
        BiFunction<NDManager, C, M> factory,
        Function<M, C> configOf,
        Function<ObjectNode, JsonNode> modelConfigOf,
        UnaryOperator<String> stateDictKeys,
        ModelKind<?, M> savedAsKind)
        implements ModelKind<C, M> {

    @Override
    public JsonNode modelConfig(ObjectNode configJson) {
        return modelConfigOf.apply(configJson);
    }

    @Override
    public String stateDictKey(String fileKey) {
        return stateDictKeys == null ? ModelKind.super.stateDictKey(fileKey) : stateDictKeys.apply(fileKey);
    }

    @Override
    public ModelKind<?, M> savedAs() {
        return savedAsKind == null ? this : savedAsKind;
    }

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
