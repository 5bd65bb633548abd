package dev.perceiver.inference.convert;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.io.AtomicFiles;
import dev.perceiver.model.io.CheckpointFiles;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a model folder of any layout the registry reads (the reference's own, with {@code model.safetensors} or
 * {@code pytorch_model.bin}; Hugging Face {@code transformers}' Perceiver folders) into the project's own layout:
 * {@code config.json} with {@code model_type}, {@code architectures} and {@code model_config} (plus {@code id2label}
 * / {@code label2id}), one {@code model.safetensors} under {@code backend_model.}, and the tokenizer and processor
 * files copied unchanged. The model is loaded strictly and saved from the loaded module, so the result loads with
 * identical outputs.
 */
public final class FolderConverter {
    /** Side files copied unchanged when the source has them. */
    public static final List<String> SIDE_FILES = List.of(
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            "added_tokens.json",
            "vocab.json",
            "vocab.txt",
            "merges.txt",
            "preprocessor_config.json",
            "generation_config.json");

    /** config.json entries kept from the source besides the model's own. */
    private static final List<String> KEPT_ENTRIES = List.of("id2label", "label2id");

    private FolderConverter() {}

    /**
     * What a conversion did.
     *
     * @param sourceKind the kind the source folder was read as (its layout and architecture)
     * @param targetKind the kind written
     * @param sourceWeights the weight file read
     * @param renamed source weight name to state-dict key, for the names that changed (besides the
     *     {@code backend_model.} prefix)
     * @param dropped source weight names that are not model weights (left out)
     * @param tensors number of tensors written
     * @param copied side files copied
     */
    public record Report(
            ModelKind<?, ?> sourceKind,
            ModelKind<?, ?> targetKind,
            Path sourceWeights,
            Map<String, String> renamed,
            List<String> dropped,
            int tensors,
            List<String> copied) {}

    /**
     * Converts {@code source} into {@code target} (created if needed; must not be the source, and must not hold a
     * config.json already: nothing is overwritten).
     */
    public static Report convert(Path source, Path target) throws IOException {
        if (Files.exists(target.resolve(ModelFolder.CONFIG))) {
            throw new IllegalArgumentException(
                    "DST (" + target + ") already holds a " + ModelFolder.CONFIG + "; choose an empty folder");
        }
        if (Files.isDirectory(target) && Files.isSameFile(source, target)) {
            throw new IllegalArgumentException("DST (" + target + ") must not be the source folder");
        }
        ModelFolder.Header header = ModelFolder.header(source);
        ModelKind<?, ?> sourceKind = ModelKinds.installed().resolve(header.modelType(), header.architectures());
        Path weights = CheckpointFiles.find(source);
        Map<String, String> renamed = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        for (String key : CheckpointFiles.read(weights).keySet()) {
            String mapped = sourceKind.stateDictKey(key);
            if (mapped == null) {
                dropped.add(key);
            } else if (!key.equals(ModelKind.WEIGHT_PREFIX + mapped)) {
                renamed.put(key, mapped);
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelFolder.Loaded loaded = ModelFolder.load(source, manager);
            Map<String, JsonNode> extra = new LinkedHashMap<>();
            for (String entry : KEPT_ENTRIES) {
                JsonNode v = loaded.config().get(entry);
                if (v != null && !v.isNull()) {
                    extra.put(entry, v);
                }
            }
            ModelFolder.save(loaded.model(), target, extra);
            List<String> copied = new ArrayList<>();
            for (String name : SIDE_FILES) {
                Path from = source.resolve(name);
                if (Files.isRegularFile(from)) {
                    AtomicFiles.writeBytes(target.resolve(name), Files.readAllBytes(from));
                    copied.add(name);
                }
            }
            int tensors = loaded.model().stateDict().size();
            return new Report(sourceKind, loaded.kind(), weights, renamed, dropped, tensors, copied);
        }
    }
}
