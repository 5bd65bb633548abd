package dev.perceiver.tasks.huggingface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.CheckpointFiles;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.SafetensorsFile;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face transformers Perceiver folders (the published-checkpoint fixtures, pytorch_model.bin) load as the same
 * model, config and weights, as the reference's own conversion of them (the {@code -krasserm} folders).
 */
class HuggingFaceFoldersTest {
    @TempDir
    Path tmp;

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    static Path folder(String name) throws Exception {
        return Path.of(HuggingFaceFoldersTest.class
                .getResource("/dev/perceiver/model/io/torch/huggingface/" + name)
                .toURI());
    }

    @Test
    void eachFolderLoadsAsTheReferenceConversionOfIt() throws Exception {
        for (String name : List.of("language_perceiver", "text_classifier", "vision_fourier", "optical_flow")) {
            ModelFolder.Loaded hf = ModelFolder.load(folder(name), manager);
            assertThat(hf.kind().savedAs()).as(name).isSameAs(hf.kind());
            if (name.equals("text_classifier")) {
                // no conversion fixture: the classifier reads the three labels of id2label
                assertThat(hf.kind()).isSameAs(TextModelKinds.TEXT_CLASSIFIER);
                assertThat(hf.labels()).containsExactly("negative", "neutral", "positive");
                continue;
            }
            ModelFolder.Loaded converted = ModelFolder.load(folder(name + "-krasserm"), manager);
            assertThat(hf.kind()).as(name).isSameAs(converted.kind());
            assertThat(hf.kind().writeConfig(hf.model()))
                    .as(name + " config")
                    .isEqualTo(converted.kind().writeConfig(converted.model()));
            Map<String, Parameter> a = hf.model().stateDict();
            Map<String, Parameter> b = converted.model().stateDict();
            assertThat(a.keySet()).as(name).containsExactlyElementsOf(b.keySet());
            for (String key : a.keySet()) {
                float[] x = a.get(key).array().toFloatArray();
                float[] y = b.get(key).array().toFloatArray();
                assertThat(x).as(name + " " + key).hasSameSizeAs(y);
                for (int i = 0; i < x.length; i++) {
                    // weights are copies; derived buffers (Fourier features) are computed by two implementations
                    assertThat(Math.abs(x[i] - y[i])).as(name + " " + key).isLessThanOrEqualTo(1e-5f);
                }
            }
        }
    }

    @Test
    void theRegistryResolvesEachArchitectureAndSavesAsTheModelsOwnKind() throws Exception {
        ModelKinds kinds = ModelKinds.installed();
        assertThat(kinds.resolve("perceiver", List.of("PerceiverForMaskedLM")))
                .isSameAs(HuggingFaceModelKinds.MASKED_LM);
        assertThat(kinds.resolve("perceiver", List.of("PerceiverForOpticalFlow")))
                .isSameAs(HuggingFaceModelKinds.OPTICAL_FLOW);
        assertThat(HuggingFaceModelKinds.IMAGE_CLASSIFICATION_FOURIER.savedAs())
                .isSameAs(VisionModelKinds.IMAGE_CLASSIFIER);
        assertThat(kinds.resolve("perceiver", List.of("PerceiverForMultimodalAutoencoding")))
                .isSameAs(HuggingFaceModelKinds.MULTIMODAL_AUTOENCODING);
        assertThatThrownBy(() -> kinds.resolve("perceiver", List.of("PerceiverModel")))
                .hasMessageContaining("PerceiverModel")
                .hasMessageContaining("PerceiverForMaskedLM");

        ModelFolder.Loaded hf = ModelFolder.load(folder("language_perceiver"), manager);
        assertThat(kinds.forModel(hf.model())).isSameAs(TextModelKinds.MASKED_LANGUAGE_MODEL);
        Path saved = tmp.resolve("saved");
        ModelFolder.save(hf.model(), saved, Map.of());
        ObjectNode config = ModelFolder.readConfig(saved);
        assertThat(config.get("model_type").asText()).isEqualTo("perceiver-io-masked-language-model");
        ModelFolder.Loaded again = ModelFolder.load(saved, manager);
        assertThat(again.model()).isInstanceOf(MaskedLanguageModel.class);
        Map<String, Parameter> b = again.model().stateDict();
        hf.model()
                .stateDict()
                .forEach((k, p) -> assertThat(b.get(k).array().toFloatArray())
                        .as(k)
                        .containsExactly(p.array().toFloatArray()));
    }

    /** A copy of a folder with its config changed by {@code edit} (weights as model.safetensors). */
    private Path copy(String name, java.util.function.Consumer<ObjectNode> edit, Map<String, TensorData> extra)
            throws Exception {
        Path src = folder(name);
        Path dst = Files.createDirectories(tmp.resolve(name));
        ObjectNode config = ModelFolder.readConfig(src);
        edit.accept(config);
        Files.writeString(dst.resolve("config.json"), ConfigJson.toString(config));
        Map<String, TensorData> weights = new LinkedHashMap<>(CheckpointFiles.read(CheckpointFiles.find(src)));
        weights.putAll(extra);
        SafetensorsFile.write(dst.resolve("model.safetensors"), weights, Map.of("format", "pt"));
        return dst;
    }

    @Test
    void settingsThatChangeTheComputationAreRefusedNamingTheField() throws Exception {
        Path relu = copy("language_perceiver", c -> c.put("hidden_act", "relu"), Map.of());
        assertThatThrownBy(() -> ModelFolder.load(relu, manager))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("hidden_act 'relu' is not supported");
        Path noResidual = copy("text_classifier", c -> c.put("use_query_residual", false), Map.of());
        assertThatThrownBy(() -> ModelFolder.load(noResidual, manager))
                .hasMessageContaining("use_query_residual false is not supported");
        Path shape = copy("vision_fourier", c -> c.put("cross_attention_shape_for_attention", "x"), Map.of());
        assertThatThrownBy(() -> ModelFolder.load(shape, manager))
                .hasMessageContaining("cross_attention_shape_for_attention 'x' must be 'kv' or 'q'");
    }

    @Test
    void aWeightTransformersNamesButNoModuleHereHasIsUnexpected() throws Exception {
        Path dir = copy(
                "optical_flow",
                c -> {},
                Map.of("perceiver.decoder.decoder.extra.weight", TensorData.ofFloats(new long[] {1}, new float[1])));
        assertThatThrownBy(() -> ModelFolder.load(dir, manager))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unexpected tensors: perceiver.decoder.decoder.extra.weight");
    }
}
