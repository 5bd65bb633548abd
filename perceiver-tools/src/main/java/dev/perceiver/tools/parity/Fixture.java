package dev.perceiver.tools.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.SafetensorsFile;
import dev.perceiver.model.io.StateDicts;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.nn.Module;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One reference fixture file: inputs ({@code input.*}), expected outputs ({@code output.*}), model parameters
 * ({@code param.*}) and the case description in the metadata ({@code case}: config and call arguments).
 */
public final class Fixture {
    private final Path path;
    private final SafetensorsFile file;
    private final JsonNode meta;
    private final NDManager manager;

    Fixture(Path path, NDManager manager) throws IOException {
        this.path = path;
        this.file = SafetensorsFile.read(path);
        this.manager = manager;
        String json = file.metadata().get("case");
        if (json == null) {
            throw new IllegalArgumentException(path + ": metadata has no 'case' entry");
        }
        this.meta = ConfigJson.parse(json);
    }

    /** The case description (config and call arguments). */
    public JsonNode meta() {
        return meta;
    }

    /** The case description bound to a record (snake_case field names; other fields are ignored if it says so). */
    public <T> T meta(Class<T> type) {
        try {
            return ConfigJson.MAPPER.treeToValue(meta, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(path + ": case: " + e.getOriginalMessage(), e);
        }
    }

    /** The model config of the case. */
    public JsonNode config() {
        JsonNode c = meta.get("config");
        if (c == null) {
            throw new IllegalArgumentException(path + ": case has no 'config'");
        }
        return c;
    }

    /** The model config of the case bound to a record (snake_case field names). */
    public <T> T config(Class<T> type) {
        try {
            return ConfigJson.MAPPER.treeToValue(config(), type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(path + ": case config: " + e.getOriginalMessage(), e);
        }
    }

    /** Input tensor {@code input.<name>} as an array. */
    public NDArray input(String name) {
        return StateDicts.toArray(manager, file.get("input." + name));
    }

    /** Any tensor by full name (e.g. {@code input.pad_mask}) as an array. */
    public NDArray array(String name) {
        return StateDicts.toArray(manager, file.get(name));
    }

    /** Whether this is a model-folder case: its metadata names a {@code folder} (see {@link FolderCase}). */
    public boolean isFolderCase() {
        return meta.hasNonNull("folder");
    }

    /** Whether {@code input.<name>} exists. */
    public boolean hasInput(String name) {
        return file.tensors().containsKey("input." + name);
    }

    /** Any tensor by full name. */
    public TensorData tensor(String name) {
        return file.get(name);
    }

    /** All tensors. */
    public Map<String, TensorData> tensors() {
        return file.tensors();
    }

    /** Loads {@code param.*} strictly into the module. */
    public void loadParams(Module module) {
        try {
            StateDicts.load(module, paramTensors(), "param.", path.getFileName().toString());
        } catch (IOException e) {
            // the fixture's tensors are in memory (SafetensorsFile.read): reading them cannot fail
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, TensorData> paramTensors() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        file.tensors().forEach((k, v) -> {
            if (k.startsWith("param.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    public NDManager manager() {
        return manager;
    }

    public Path path() {
        return path;
    }
}
