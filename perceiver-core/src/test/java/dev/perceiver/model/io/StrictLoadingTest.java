package dev.perceiver.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.nn.Linear;
import dev.perceiver.tasks.vision.ImageClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a state dict is strict: every missing, unexpected or wrongly shaped tensor is an error naming it. */
class StrictLoadingTest {
    private static final String CONFIG = "{\"num_latents\": 4, \"num_latent_channels\": 8, \"encoder\": {"
            + "\"image_shape\": [4, 4, 1], \"num_frequency_bands\": 2, \"num_cross_attention_heads\": 1, "
            + "\"num_self_attention_heads\": 2, \"num_self_attention_layers_per_block\": 1, "
            + "\"num_cross_attention_layers\": 2, \"num_self_attention_blocks\": 2, "
            + "\"first_self_attention_block_shared\": false}, \"decoder\": {\"num_output_query_channels\": 8, "
            + "\"num_classes\": 3, \"num_cross_attention_heads\": 1}}";

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

    private ImageClassifier model() {
        return new ImageClassifier(
                manager,
                PerceiverIOConfig.fromJson(
                        ConfigJson.parse(CONFIG), ImageEncoderConfig::fromJson, ClassificationDecoderConfig::fromJson));
    }

    @Test
    void stateDictHasReferenceKeysIncludingExtraLayers() {
        Map<String, ?> keys = model().stateDict();
        assertThat(keys)
                .containsKeys(
                        "0.latent_provider._query",
                        "0.input_adapter.position_encoding.position_encoding",
                        "0.cross_attn_1.0.module.attention.q_proj.weight",
                        "0.cross_attn_n.1.module.3.bias",
                        "0.self_attn_1.0.0.module.norm.weight",
                        "0.self_attn_n.0.1.module.1.weight",
                        "1.output_query_provider._query",
                        "1.output_adapter.linear.weight",
                        "1.cross_attn.0.module.kv_norm.bias");
    }

    @Test
    void saveThenLoadRoundTripsExactly() throws Exception {
        ImageClassifier a = model();
        ImageClassifier b = model();
        Path file = tmp.resolve("w.safetensors");
        StateDicts.save(a, file, "", Map.of());
        StateDicts.load(b, file);
        NDArray x = manager.randomUniform(0, 1, new Shape(2, 4, 4, 1));
        assertThat(b.forward(x).toFloatArray()).containsExactly(a.forward(x).toFloatArray());
    }

    @Test
    void modelBuiltAndLoadedInsideAScopeOutlivesIt() throws Exception {
        ImageClassifier a = model();
        Path file = tmp.resolve("w.safetensors");
        StateDicts.save(a, file, "", Map.of());
        ImageClassifier b;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            b = model();
            StateDicts.load(b, file);
        }
        NDArray x = manager.randomUniform(0, 1, new Shape(2, 4, 4, 1));
        assertThat(b.forward(x).toFloatArray()).containsExactly(a.forward(x).toFloatArray());
    }

    @Test
    void missingUnexpectedAndMisshapedTensorsAreNamed() {
        ImageClassifier m = model();
        Map<String, TensorData> tensors = new LinkedHashMap<>(StateDicts.toTensors(m, ""));
        Map<String, TensorData> missing = new LinkedHashMap<>(tensors);
        missing.remove("0.cross_attn_n.0.module.attention.k_proj.bias");
        assertThatThrownBy(() -> StateDicts.load(m, missing, "", "w.safetensors"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing tensors: 0.cross_attn_n.0.module.attention.k_proj.bias");

        Map<String, TensorData> extra = new LinkedHashMap<>(tensors);
        extra.put("0.self_attn_x.weight", TensorData.ofFloats(new long[] {1}, new float[] {1}));
        assertThatThrownBy(() -> StateDicts.load(m, extra, "", "w.safetensors"))
                .hasMessageContaining("unexpected tensors: 0.self_attn_x.weight");

        Map<String, TensorData> shaped = new LinkedHashMap<>(tensors);
        shaped.put("1.output_adapter.linear.weight", TensorData.ofFloats(new long[] {4, 8}, new float[32]));
        assertThatThrownBy(() -> StateDicts.load(m, shaped, "", "w.safetensors"))
                .hasMessageContaining(
                        "tensor '1.output_adapter.linear.weight' has shape [4, 8] but the model expects (3, 8)");
    }

    @Test
    void aDerivedBufferMayBeAbsentAndKeepsItsComputedValueButAParameterMayNot() throws Exception {
        ImageClassifier a = model();
        ImageClassifier b = model();
        String pe = "0.input_adapter.position_encoding.position_encoding";
        assertThat(b.stateDict().get(pe).isDerived()).isTrue();
        assertThat(b.stateDict().get("0.latent_provider._query").isDerived()).isFalse();
        float[] computed = b.stateDict().get(pe).array().toFloatArray();
        Map<String, TensorData> tensors = new LinkedHashMap<>(StateDicts.toTensors(a, ""));
        tensors.remove(pe);
        StateDicts.load(b, tensors, "", "w.safetensors");
        assertThat(b.stateDict().get(pe).array().toFloatArray()).containsExactly(computed);
        NDArray x = manager.randomUniform(0, 1, new Shape(2, 4, 4, 1));
        assertThat(b.forward(x).toFloatArray()).containsExactly(a.forward(x).toFloatArray());

        // present, it is loaded like any tensor (a checkpoint's own values win)
        Map<String, TensorData> changed = new LinkedHashMap<>(StateDicts.toTensors(a, ""));
        long[] shape = b.stateDict().get(pe).shape().getShape();
        changed.put(pe, TensorData.ofFloats(shape, new float[computed.length]));
        StateDicts.load(b, changed, "", "w.safetensors");
        assertThat(b.stateDict().get(pe).array().toFloatArray()).containsOnly(0f);
    }

    @Test
    void unloadableDtypeIsNamedAndNothingIsLoaded() {
        ImageClassifier m = model();
        Map<String, TensorData> tensors = new LinkedHashMap<>(StateDicts.toTensors(model(), ""));
        String key = "1.output_adapter.linear.bias";
        tensors.put(key, new TensorData("I16", new long[] {3}, java.nio.ByteBuffer.allocate(6)));
        float[] before = m.stateDict().get("0.latent_provider._query").array().toFloatArray();
        assertThatThrownBy(() -> StateDicts.load(m, tensors, "", "w.safetensors"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("w.safetensors: tensor '" + key + "' has dtype I16, which cannot be loaded (supported: F32,"
                        + " F64, F16, BF16, I64, I32, I8, U8, BOOL)");
        assertThat(m.stateDict().get("0.latent_provider._query").array().toFloatArray())
                .containsExactly(before);
    }

    @Test
    void float16TensorsLoadConvertedToTheParameterType() throws Exception {
        ImageClassifier a = model();
        ImageClassifier b = model();
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        a.stateDict().forEach((k, p) -> {
            try (NDArray half = p.array().toType(ai.djl.ndarray.types.DataType.FLOAT16, true)) {
                tensors.put(k, StateDicts.toTensorData(half));
            }
        });
        StateDicts.load(b, tensors, "", "half.safetensors");
        a.stateDict().forEach((k, p) -> {
            NDArray loaded = b.stateDict().get(k).array();
            assertThat(loaded.getDataType()).as(k).isEqualTo(p.array().getDataType());
            NDArray rounded = p.array()
                    .toType(ai.djl.ndarray.types.DataType.FLOAT16, true)
                    .toType(p.array().getDataType(), true);
            assertThat(loaded.toFloatArray()).as(k).containsExactly(rounded.toFloatArray());
        });
    }

    @Test
    void aNonFiniteValueInAFileIsFoundPastTheFirstPieceReadAndNothingIsLoaded() throws Exception {
        // 1024 x 300 floats: 1.2 MB, read in pieces of StateDicts.CHECK_CHUNK (1 MiB) while checking
        Linear saved = new Linear(manager, 1024, 300, true, 0.02);
        Map<String, TensorData> tensors = new LinkedHashMap<>(StateDicts.toTensors(saved, ""));
        float[] weight = tensors.get("weight").toFloatArray();
        int bad = StateDicts.CHECK_CHUNK / 4 + 5;
        weight[bad] = Float.NaN;
        tensors.put("weight", TensorData.ofFloats(new long[] {300, 1024}, weight));
        Path file = tmp.resolve("nan.safetensors");
        SafetensorsFile.write(file, tensors, Map.of());
        Linear loaded = new Linear(manager, 1024, 300, true, 0.02);
        float[] bias = loaded.bias().array().toFloatArray();
        assertThatThrownBy(() -> StateDicts.load(loaded, file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": tensor 'weight' holds NaN or infinite values (first at flat index " + bad
                        + "); refusing weights that make every output NaN");
        assertThat(loaded.bias().array().toFloatArray()).containsExactly(bias);

        weight[bad] = 0.5f;
        tensors.put("weight", TensorData.ofFloats(new long[] {300, 1024}, weight));
        SafetensorsFile.write(file, tensors, Map.of());
        StateDicts.load(loaded, file);
        assertThat(loaded.weight().array().toFloatArray()).containsExactly(weight);
        assertThat(loaded.bias().array().toFloatArray())
                .containsExactly(tensors.get("bias").toFloatArray());
    }

    @Test
    void truncatedFileIsAnErrorNotACrash() throws Exception {
        ImageClassifier m = model();
        Path file = tmp.resolve("w.safetensors");
        StateDicts.save(m, file, "", Map.of());
        byte[] bytes = Files.readAllBytes(file);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> StateDicts.load(m, cut))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("cut.safetensors");
    }

    @Test
    void modelFolderRoundTripWithReferenceLayout() throws Exception {
        ImageClassifier m = model();
        Path dir = tmp.resolve("model");
        ModelFolder.save(m, dir, ModelFolder.labelEntries(new String[] {"a", "b", "c"}));
        JsonNode config = ConfigJson.parse(Files.readString(dir.resolve("config.json")));
        assertThat(config.get("model_type").asText()).isEqualTo("perceiver-io-image-classifier");
        assertThat(config.get("model_config")
                        .get("encoder")
                        .get("num_cross_attention_layers")
                        .asInt())
                .isEqualTo(2);
        SafetensorsFile weights = SafetensorsFile.read(dir.resolve("model.safetensors"));
        assertThat(weights.tensors().keySet()).allMatch(k -> k.startsWith("backend_model."));
        assertThat(weights.metadata()).containsEntry("format", "pt");
        ModelFolder.Loaded loaded = ModelFolder.load(dir, manager);
        assertThat(loaded.labels()).containsExactly("a", "b", "c");
        NDArray x = manager.randomUniform(0, 1, new Shape(1, 4, 4, 1));
        assertThat(((ImageClassifier) loaded.model()).forward(x).toFloatArray())
                .containsExactly(m.forward(x).toFloatArray());
    }

    @Test
    void unknownModelTypeAndMissingFilesAreNamed() throws Exception {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        assertThatThrownBy(() -> ModelFolder.load(dir, manager)).hasMessageContaining("config.json");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"perceiver-xyz\", \"model_config\": {}}");
        assertThatThrownBy(() -> ModelFolder.load(dir, manager))
                .hasMessageContaining("unknown model_type 'perceiver-xyz'");
        Files.writeString(
                dir.resolve("config.json"),
                "{\"model_type\": \"perceiver-io-image-classifier\", " + "\"model_config\": " + CONFIG + "}");
        assertThatThrownBy(() -> ModelFolder.load(dir, manager)).hasMessageContaining("model.safetensors");
    }
}
