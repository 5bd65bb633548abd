package dev.perceiver.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.registry.TestModelKinds.TinyConfig;
import dev.perceiver.model.registry.TestModelKinds.TinyModel;
import dev.perceiver.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open model registry: kinds registered through ServiceLoader, lookups and their errors. */
class ModelKindsTest {
    private static final ModelKinds KINDS = ModelKinds.installed();

    @Test
    void everyTaskKindIsInstalled() {
        assertThat(KINDS.all())
                .extracting(ModelKind::modelType)
                .contains(
                        "perceiver-io-image-classifier",
                        "perceiver-io-optical-flow",
                        "perceiver-io-masked-language-model",
                        "perceiver-io-text-classifier",
                        "perceiver-ar-causal-language-model",
                        "perceiver-ar-symbolic-audio-model");
        assertThat(KINDS.byArchitecture("PerceiverImageClassifier").modelType())
                .isEqualTo("perceiver-io-image-classifier");
        assertThat(KINDS.byArchitecture("OpticalFlowPerceiver").task()).isEqualTo("optical-flow");
    }

    @Test
    void testOnlyKindIsFoundByModelTypeArchitectureAndInstance() {
        assertThat(KINDS.byModelType("test-tiny-linear")).isSameAs(TestModelKinds.TINY);
        assertThat(KINDS.byArchitecture("TinyLinearModel")).isSameAs(TestModelKinds.TINY);
        assertThat(KINDS.byArchitecture("TinyLinearModelAlias")).isSameAs(TestModelKinds.TINY);
        assertThat(KINDS.all()).contains(TestModelKinds.TINY);
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, new TinyConfig(3, 2));
            assertThat(KINDS.forModel(model)).isSameAs(TestModelKinds.TINY);
            // a subclass without a kind of its own resolves to the kind of its nearest registered superclass
            TinyModel sub = new TinyModel(m, new TinyConfig(3, 2)) {};
            assertThat(KINDS.forModel(sub)).isSameAs(TestModelKinds.TINY);
        }
    }

    @Test
    void kindReadsCreatesAndWritesConfigs() {
        JsonNode json = ConfigJson.parse("{\"in_features\": 4, \"out_features\": 5}");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = TestModelKinds.TINY.createFromJson(m, json);
            assertThat(model.stateDict().get("proj.weight").shape()).isEqualTo(new Shape(5, 4));
            assertThat(TestModelKinds.TINY.writeConfig(model)).isEqualTo(json);
        }
        assertThatThrownBy(() -> TestModelKinds.TINY.readConfig(ConfigJson.parse("{\"in_features\": 4}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestModelKinds.TINY.readConfig(
                        ConfigJson.parse("{\"in_features\": 4, \"out_features\": 5, \"width\": 1}")))
                .hasMessageContaining("unknown field 'width'");
    }

    @Test
    void unknownNamesAreErrorsThatListTheKnownOnes() {
        assertThatThrownBy(() -> KINDS.byModelType("perceiver-xyz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown model_type 'perceiver-xyz'")
                .hasMessageContaining("perceiver-io-image-classifier")
                .hasMessageContaining("test-tiny-linear");
        assertThatThrownBy(() -> KINDS.byArchitecture("PerceiverModel"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown architecture 'PerceiverModel'")
                .hasMessageContaining("PerceiverMaskedLanguageModel")
                .hasMessageContaining("TinyLinearModel");
        try (NDManager m = NDManager.newBaseManager()) {
            Module stranger = new Module(m) {};
            assertThatThrownBy(() -> KINDS.forModel(stranger))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no model kind for")
                    .hasMessageContaining("TinyModel (test-tiny-linear)");
            assertThatThrownBy(() -> TestModelKinds.TINY.cast(stranger))
                    .hasMessageContaining("is not a TinyModel (model_type test-tiny-linear)");
        }
    }

    @Test
    void kindsSharingAModelTypeAreToldApartByArchitecture() {
        ModelKind<TinyConfig, TinyModel> sameType = ModelKind.builder("test-tiny-linear", TinyModel.class)
                .configReader(TinyConfig::fromJson)
                .architectures("Other")
                .task("t")
                .factory(TinyModel::new)
                .configOf(TinyModel::config)
                .build();
        ModelKinds kinds = ModelKinds.of(List.of(TestModelKinds.TINY, sameType));
        assertThat(kinds.withModelType("test-tiny-linear")).containsExactly(TestModelKinds.TINY, sameType);
        assertThatThrownBy(() -> kinds.byModelType("test-tiny-linear"))
                .hasMessageContaining("model_type 'test-tiny-linear' names 2 kinds")
                .hasMessageContaining("TinyLinearModel, TinyLinearModelAlias, Other");
        assertThat(kinds.resolve("test-tiny-linear", List.of("Other"))).isSameAs(sameType);
        assertThat(kinds.resolve("test-tiny-linear", List.of("TinyLinearModelAlias")))
                .isSameAs(TestModelKinds.TINY);
        assertThat(kinds.resolve(null, List.of("Other"))).isSameAs(sameType);
        assertThatThrownBy(() -> kinds.resolve("test-tiny-linear", List.of("Unknown")))
                .hasMessageContaining("architectures [Unknown] names none of its kinds");
        assertThatThrownBy(() -> kinds.resolve("test-tiny-linear", null))
                .hasMessageContaining("names none of its kinds");
        assertThatThrownBy(() -> kinds.resolve(null, List.of()))
                .hasMessageContaining("neither model_type nor architectures");
        // a single kind of a model_type is found whatever architectures say
        assertThat(KINDS.resolve("test-tiny-linear", List.of("Unknown"))).isSameAs(TestModelKinds.TINY);
    }

    @Test
    void duplicateArchitecturesAndIncompleteKindsAreRejected() {
        ModelKind<TinyConfig, TinyModel> sameArchitecture = ModelKind.builder("other", TinyModel.class)
                .configReader(TinyConfig::fromJson)
                .architectures("TinyLinearModel")
                .task("t")
                .factory(TinyModel::new)
                .configOf(TinyModel::config)
                .build();
        assertThatThrownBy(() -> ModelKinds.of(List.of(TestModelKinds.TINY, sameArchitecture)))
                .hasMessageContaining("architecture 'TinyLinearModel' is registered by both");
        assertThatThrownBy(() -> ModelKind.builder("x", TinyModel.class)
                        .configReader(TinyConfig::fromJson)
                        .task("t")
                        .factory(TinyModel::new)
                        .configOf(TinyModel::config)
                        .build())
                .hasMessageContaining("model kind x needs at least one architecture");
    }

    @Test
    void modelFolderSavesAndLoadsANewKindWithoutKnowingIt(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, new TinyConfig(3, 2));
            Path dir = tmp.resolve("tiny");
            ModelFolder.save(model, dir, Map.of());
            JsonNode config = ConfigJson.parse(Files.readString(dir.resolve(ModelFolder.CONFIG)));
            assertThat(config.get("model_type").asText()).isEqualTo("test-tiny-linear");
            assertThat(config.get("architectures").get(0).asText()).isEqualTo("TinyLinearModel");
            assertThat(config.get("model_config").get("out_features").asInt()).isEqualTo(2);

            ModelFolder.Loaded loaded = ModelFolder.load(dir, m);
            assertThat(loaded.kind()).isSameAs(TestModelKinds.TINY);
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3));
            assertThat(TestModelKinds.TINY.cast(loaded.model()).forward(x).toFloatArray())
                    .containsExactly(model.forward(x).toFloatArray());

            // a folder that names only its architecture resolves through it
            ((ObjectNode) config).remove("model_type");
            Files.writeString(dir.resolve(ModelFolder.CONFIG), ConfigJson.toString(config));
            assertThat(ModelFolder.load(dir, m).kind()).isSameAs(TestModelKinds.TINY);
        }
    }
}
