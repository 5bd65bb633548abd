package dev.perceiver.model.registry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.ModelConfig;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import java.util.List;
import java.util.Set;

/**
 * A test-only task registered through the open mechanism: this provider is listed in the test resources'
 * {@code META-INF/services/dev.perceiver.model.registry.ModelKindProvider}, nothing else names it.
 */
public final class TestModelKinds implements ModelKindProvider {
    /** The test kind: one linear layer. */
    public static final ModelKind<TinyConfig, TinyModel> TINY = ModelKind.builder("test-tiny-linear", TinyModel.class)
            .configReader(TinyConfig::fromJson)
            .architectures("TinyLinearModel", "TinyLinearModelAlias")
            .task("test-projection")
            .factory(TinyModel::new)
            .configOf(TinyModel::config)
            .build();

    @Override
    public List<ModelKind<?, ?>> modelKinds() {
        return List.of(TINY);
    }

    /** Config of the test model, bound by Jackson with snake_case names. */
    public record TinyConfig(int inFeatures, int outFeatures) implements ModelConfig {
        /** Validates both sizes. */
        public TinyConfig {
            Checks.positive("in_features", inFeatures);
            Checks.positive("out_features", outFeatures);
        }

        static TinyConfig fromJson(JsonNode node) {
            return ConfigJson.bind(node, TinyConfig.class, "model", Set.of());
        }

        @Override
        public ObjectNode toJson() {
            return ConfigJson.tree(this);
        }
    }

    /** The test model: (b, in) -> (b, out). */
    public static class TinyModel extends Module {
        private final TinyConfig config;
        private final Linear proj;

        public TinyModel(NDManager manager, TinyConfig config) {
            super(manager);
            this.config = config;
            this.proj = child("proj", new Linear(manager, config.inFeatures(), config.outFeatures(), true, 0.02));
        }

        /** (b, in) -> (b, out). */
        public NDArray forward(NDArray x) {
            return proj.forward(x);
        }

        public TinyConfig config() {
            return config;
        }
    }
}
