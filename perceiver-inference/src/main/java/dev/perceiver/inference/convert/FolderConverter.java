package dev.perceiver.inference.convert;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.SafetensorsFile;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.tasks.huggingface.HuggingFaceExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a model folder of any layout the registry reads (the reference's own, with {@code model.safetensors} or
 * {@code pytorch_model.bin}; Hugging Face {@code transformers}' Perceiver folders) into the project's own layout
 * ({@link Layout#REFERENCE}: {@code config.json} with {@code model_type}, {@code architectures} and
 * {@code model_config} (plus {@code id2label} / {@code label2id}), one {@code model.safetensors} under
 * {@code backend_model.}) or into transformers' layout where it expresses the model ({@link Layout#HUGGINGFACE}:
 * {@code config.json} of a {@code PerceiverConfig}, one {@code model.safetensors} under transformers' names, see
 * {@link HuggingFaceExport}); the tokenizer and processor files are copied unchanged. The model is loaded strictly
 * (its weight file read once) and saved from the loaded module, so the result loads with identical outputs.
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

    /** The layout a conversion writes. */
    public enum Layout {
        /** The project's own layout, which is the reference's (krasserm/perceiver-io). */
        REFERENCE,
        /** Hugging Face {@code transformers}' own Perceiver classes (the DeepMind checkpoints' layout). */
        HUGGINGFACE
    }

    /**
     * What a conversion did.
     *
     * @param sourceKind the kind the source folder was read as (its layout and architecture)
     * @param targetKind the kind written
     * @param sourceWeights the weight file read
     * @param renamed source weight name to the name written, for the names that changed (besides the
     *     {@code backend_model.} prefix)
     * @param dropped source weight names left out: not model weights, or (in transformers' layout) fixed buffers that
     *     transformers computes itself
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
        return convert(source, target, Layout.REFERENCE);
    }

    /**
     * Converts {@code source} into {@code target} in the given layout (created if needed; must not be the source,
     * and must not hold a config.json already: nothing is overwritten).
     *
     * @throws IllegalArgumentException if the layout cannot express the model (the message says why)
     */
    public static Report convert(Path source, Path target, Layout layout) throws IOException {
        if (Files.exists(target.resolve(ModelFolder.CONFIG))) {
            throw new IllegalArgumentException(
                    "DST (" + target + ") already holds a " + ModelFolder.CONFIG + "; choose an empty folder");
        }
        if (Files.isDirectory(target) && Files.isSameFile(source, target)) {
            throw new IllegalArgumentException("DST (" + target + ") must not be the source folder");
        }
        ModelFolder.Header header = ModelFolder.header(source);
        ModelKind<?, ?> sourceKind = ModelKinds.installed().resolve(header.modelType(), header.architectures());
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelFolder.Loaded loaded = ModelFolder.load(source, manager);
            Map<String, String> written;
            ModelKind<?, ?> targetKind;
            if (layout == Layout.HUGGINGFACE) {
                HuggingFaceExport.Exported hf =
                        HuggingFaceExport.export(loaded.model(), loaded.config().get("id2label"));
                Files.createDirectories(target);
                SafetensorsFile.write(target.resolve(ModelFolder.WEIGHTS), hf.weights(), Map.of("format", "pt"));
                AtomicFiles.writeString(target.resolve(ModelFolder.CONFIG), ConfigJson.toString(hf.config()) + "\n");
                written = hf.names();
                targetKind = hf.kind();
            } else {
                Map<String, JsonNode> extra = new LinkedHashMap<>();
                for (String entry : KEPT_ENTRIES) {
                    JsonNode v = loaded.config().get(entry);
                    if (v != null && !v.isNull()) {
                        extra.put(entry, v);
                    }
                }
                ModelFolder.save(loaded.model(), target, extra);
                written = null;
                targetKind = loaded.kind();
            }
            Map<String, String> renamed = new LinkedHashMap<>();
            List<String> dropped = new ArrayList<>();
            for (String key : loaded.weightNames()) {
                String mapped = sourceKind.stateDictKey(key);
                if (mapped == null || (written != null && !written.containsKey(mapped))) {
                    // not a model weight, or one transformers computes itself (fixed Fourier features)
                    dropped.add(key);
                    continue;
                }
                String out = written == null ? ModelKind.WEIGHT_PREFIX + mapped : written.get(mapped);
                if (!key.equals(out)) {
                    renamed.put(key, written == null ? mapped : out);
                }
            }
            List<String> copied = new ArrayList<>();
            for (String name : SIDE_FILES) {
                Path from = source.resolve(name);
                if (Files.isRegularFile(from)) {
                    AtomicFiles.writeBytes(target.resolve(name), Files.readAllBytes(from));
                    copied.add(name);
                }
            }
            int tensors = written == null ? loaded.model().stateDict().size() : written.size();
            return new Report(sourceKind, targetKind, loaded.weights(), renamed, dropped, tensors, copied);
        }
    }
}
