package dev.perceiver.inference.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.inference.vision.ImageProcessorConfig;
import dev.perceiver.model.io.CheckpointFiles;
import dev.perceiver.model.io.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which files of a Hub repository a model needs: {@code config.json}, the weights {@link CheckpointFiles} would load
 * (the first of {@link CheckpointFiles#WEIGHT_FILES} the repository has; for an index also the shards it names), and
 * the tokenizer and processor files that exist. Everything else (README, images, Flax / TensorFlow weights, the
 * weights in a second format) is skipped.
 */
final class ModelFiles {
    /** Tokenizer, processor and generation files, taken when the repository has them. */
    static final List<String> EXTRA = List.of(
            Tokenizer.TOKENIZER_JSON,
            Tokenizer.TOKENIZER_CONFIG,
            Tokenizer.SPECIAL_TOKENS_MAP,
            "added_tokens.json",
            "vocab.json",
            "vocab.txt",
            "merges.txt",
            "spiece.model",
            "sentencepiece.bpe.model",
            "tokenizer.model",
            ImageProcessorConfig.FILE,
            "generation_config.json");

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {}

    /**
     * The files to download, weights last but before their shards (which {@link #shards} reads from the index).
     *
     * @throws HubException if the repository has no {@code config.json} or no weights in a supported format
     */
    static List<String> select(HubModelId id, Collection<String> repoFiles) throws HubException {
        Set<String> have = Set.copyOf(repoFiles);
        if (!have.contains(ModelFolder.CONFIG)) {
            throw new HubException(id + " has no " + ModelFolder.CONFIG + ": not a model repository", 0);
        }
        List<String> files = new ArrayList<>();
        files.add(ModelFolder.CONFIG);
        for (String f : EXTRA) {
            if (have.contains(f)) {
                files.add(f);
            }
        }
        String weights = CheckpointFiles.WEIGHT_FILES.stream()
                .filter(have::contains)
                .findFirst()
                .orElseThrow(() -> new HubException(
                        id + " has no weights in a supported format (looked for "
                                + String.join(", ", CheckpointFiles.WEIGHT_FILES) + ")",
                        0));
        files.add(weights);
        return files;
    }

    /**
     * The shard files a downloaded index names ({@code weight_map} values, each once, in order).
     *
     * @param repoFiles the repository's files: every shard must be one of them
     * @throws HubException if the index is malformed or names a shard the repository does not have
     */
    static List<String> shards(HubModelId id, Path index, Collection<String> repoFiles) throws IOException {
        JsonNode map;
        try {
            map = JSON.readTree(index.toFile()).path("weight_map");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new HubException(id + ": " + index.getFileName() + " is not JSON: " + e.getOriginalMessage(), 0, e);
        }
        if (!map.isObject()) {
            throw new HubException(id + ": " + index.getFileName() + " has no weight_map object", 0);
        }
        Set<String> have = Set.copyOf(repoFiles);
        Set<String> shards = new LinkedHashSet<>();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
            String shard = it.next().asText("");
            if (!have.contains(shard) || !HubModelId.isSafePath(shard)) {
                throw new HubException(
                        id + ": " + index.getFileName() + " names shard '" + shard + "', which the repository lacks",
                        0);
            }
            shards.add(shard);
        }
        return List.copyOf(shards);
    }

    /** Whether a snapshot folder holds a loadable model: config, weights, and every shard an index names. */
    static boolean complete(Path dir) {
        if (!Files.isRegularFile(dir.resolve(ModelFolder.CONFIG))) {
            return false;
        }
        try {
            Path weights = CheckpointFiles.find(dir);
            if (!weights.getFileName().toString().endsWith(".index.json")) {
                return true;
            }
            for (Iterator<JsonNode> it =
                            JSON.readTree(weights.toFile()).path("weight_map").elements();
                    it.hasNext(); ) {
                if (!Files.isRegularFile(dir.resolve(it.next().asText("")))) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
