package dev.perceiver.model.io;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model folders in the reference's Hugging Face layout: {@code config.json} ({@code model_type},
 * {@code architectures}, {@code model_config} with the backend config in reference field names, plus optional
 * entries such as {@code id2label}) and the weights with every state-dict key prefixed by {@code backend_model.}:
 * {@code model.safetensors}, or the {@code pytorch_model.bin} the published models carry (read without executing
 * pickle code, see {@link TorchCheckpoint}), or a sharded index of either ({@link CheckpointFiles#find}).
 * Tokenizer files may lie beside them. The model's kind comes from the model registry ({@link ModelKinds#resolve}):
 * by {@code model_type}, and by architecture where a folder has no {@code model_type} or several kinds share it.
 */
public final class ModelFolder {
    /** File name of the config. */
    public static final String CONFIG = "config.json";
    /** File name of the weights. */
    public static final String WEIGHTS = "model.safetensors";
    /** Key prefix of the weights. */
    public static final String PREFIX = ModelKind.WEIGHT_PREFIX;

    private ModelFolder() {}

    /**
     * A loaded model with its kind and the whole config.json. The kind is the model's own
     * ({@link ModelKind#savedAs}): a folder of another layout (e.g. Hugging Face {@code transformers}) loads as the
     * kind it is saved as.
     *
     * @param weights the weight file read
     * @param weightNames the names in that file, in file order (before {@link ModelKind#stateDictKey})
     */
    public record Loaded(
            ModelKind<?, ?> kind, Module model, ObjectNode config, Path weights, List<String> weightNames) {
        /** Copies the names. */
        public Loaded {
            weightNames = List.copyOf(weightNames);
        }

        /** Class labels from {@code id2label} (index order), or null. */
        public String[] labels() {
            JsonNode id2label = config.get("id2label");
            if (id2label == null || !id2label.isObject() || id2label.isEmpty()) {
                return null;
            }
            String[] out = new String[id2label.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode v = id2label.get(Integer.toString(i));
                out[i] = v == null ? Integer.toString(i) : v.asText();
            }
            return out;
        }
    }

    /**
     * The entries of config.json that locate the model; the others (id2label, tokenizer_class, ...) stay in the
     * whole tree.
     *
     * @param modelType {@code model_type}, or null
     * @param architectures {@code architectures}, or null
     * @param modelConfig {@code model_config}, or null
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Header(String modelType, List<String> architectures, JsonNode modelConfig) {}

    /** Reads config.json of a folder. */
    public static ObjectNode readConfig(Path dir) throws IOException {
        Path config = dir.resolve(CONFIG);
        if (Files.isDirectory(dir)) {
            config = FolderFiles.confined(dir, CONFIG);
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "model folder does not exist");
        }
        if (!Files.isRegularFile(config)) {
            throw new NoSuchFileException(config.toString(), null, "model folder has no " + CONFIG);
        }
        try {
            return ConfigJson.parse(FolderFiles.readConfigText(config));
        } catch (IllegalArgumentException e) {
            throw new IOException(config + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a model folder strictly: its kind from {@code model_type} and {@code architectures}
     * ({@link ModelKinds#resolve}), the model from the kind's model config ({@link ModelKind#modelConfig}: the
     * {@code model_config} entry in the reference's layout), the weights from the first of
     * {@link CheckpointFiles#WEIGHT_FILES} present under the kind's state-dict keys ({@link ModelKind#stateDictKey}).
     * Parameters live in {@code manager}.
     */
    public static Loaded load(Path dir, NDManager manager) throws IOException {
        ObjectNode config = readConfig(dir);
        Header header = header(dir, config);
        ModelKind<?, ?> kind;
        Module model;
        try {
            kind = kind(dir, header);
            JsonNode modelConfig = kind.modelConfig(config);
            if (modelConfig == null || !modelConfig.isObject()) {
                throw new IOException(dir.resolve(CONFIG) + ": missing model_config object");
            }
            model = kind.createFromJson(manager, modelConfig);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
        Path weights = CheckpointFiles.find(dir);
        try (CheckpointFiles.Opened file = CheckpointFiles.open(weights)) {
            StateDicts.load(model, stateDict(kind, file.tensors()), "", weights.toString());
            return new Loaded(
                    kind.savedAs(),
                    model,
                    config,
                    weights,
                    List.copyOf(file.tensors().keySet()));
        }
    }

    /**
     * The weights under the kind's state-dict keys ({@link ModelKind#stateDictKey}; keys it maps to null are not
     * model weights and are left out).
     *
     * @throws IllegalArgumentException if two file keys map to the same state-dict key
     */
    static Map<String, TensorSource> stateDict(ModelKind<?, ?> kind, Map<String, TensorSource> weights) {
        Map<String, TensorSource> out = new LinkedHashMap<>();
        Map<String, String> from = new LinkedHashMap<>();
        for (Map.Entry<String, TensorSource> e : weights.entrySet()) {
            String key = kind.stateDictKey(e.getKey());
            if (key == null) {
                continue;
            }
            String other = from.put(key, e.getKey());
            if (other != null) {
                throw new IllegalArgumentException(
                        "weights '" + other + "' and '" + e.getKey() + "' are both the model's '" + key + "'");
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    /** The entries of a folder's config.json that locate its model ({@code model_type}, {@code architectures}). */
    public static Header header(Path dir) throws IOException {
        return header(dir, readConfig(dir));
    }

    /**
     * {@link #header(Path)} of a config.json already read ({@link #readConfig}), for a caller that needs more of it.
     *
     * @param dir the folder, for messages
     */
    public static Header header(Path dir, ObjectNode config) throws IOException {
        try {
            return ConfigJson.MAPPER.treeToValue(config, Header.class);
        } catch (JsonProcessingException e) {
            throw new IOException(dir.resolve(CONFIG) + ": " + e.getOriginalMessage(), e);
        }
    }

    private static ModelKind<?, ?> kind(Path dir, Header header) throws IOException {
        if (header.modelType() == null
                && (header.architectures() == null || header.architectures().isEmpty())) {
            throw new IOException(dir.resolve(CONFIG) + ": missing model_type");
        }
        return ModelKinds.installed().resolve(header.modelType(), header.architectures());
    }

    /**
     * Saves a model as a folder (created if needed); files are written atomically. The model's kind (found in the
     * registry by its class) gives {@code model_type}, {@code architectures} and {@code model_config}.
     *
     * @param extra additional config.json entries (e.g. id2label), may be empty
     */
    public static void save(Module model, Path dir, Map<String, JsonNode> extra) throws IOException {
        ModelKind<?, ?> kind = ModelKinds.installed().forModel(model);
        Files.createDirectories(dir);
        ObjectNode config = ConfigJson.MAPPER.createObjectNode();
        config.putArray("architectures").add(kind.architecture());
        config.set("model_config", kind.writeConfig(model));
        config.put("model_type", kind.modelType());
        config.put("torch_dtype", "float32");
        extra.forEach(config::set);
        StateDicts.save(model, dir.resolve(WEIGHTS), PREFIX, Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(CONFIG), ConfigJson.toString(config) + "\n");
    }

    /** Labels as an {@code id2label} / {@code label2id} pair of config entries. */
    public static Map<String, JsonNode> labelEntries(String[] labels) {
        ObjectNode id2label = ConfigJson.MAPPER.createObjectNode();
        ObjectNode label2id = ConfigJson.MAPPER.createObjectNode();
        for (int i = 0; i < labels.length; i++) {
            id2label.put(Integer.toString(i), labels[i]);
            label2id.put(labels[i], i);
        }
        return Map.of("id2label", id2label, "label2id", label2id);
    }
}
