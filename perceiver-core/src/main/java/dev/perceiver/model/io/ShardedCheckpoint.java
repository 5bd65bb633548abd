package dev.perceiver.model.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A checkpoint split into shards by Hugging Face {@code save_pretrained}: an index ({@code
 * model.safetensors.index.json} or {@code pytorch_model.bin.index.json}) whose {@code weight_map} maps each tensor name
 * to the shard file beside it that holds it. Reading checks that every shard exists, that each tensor is in exactly
 * the shard the index names, and that no shard holds a tensor the index does not list.
 */
public final class ShardedCheckpoint {
    /** Index file name of sharded safetensors. */
    public static final String SAFETENSORS_INDEX = "model.safetensors.index.json";
    /** Index file name of sharded {@code torch.save} files. */
    public static final String TORCH_INDEX = "pytorch_model.bin.index.json";

    /** Far larger than the index of any model (a few bytes per tensor name). */
    static final long MAX_INDEX = 64L << 20;

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ShardedCheckpoint() {}

    /**
     * Reads every shard an index names and returns their tensors as one map, ordered shard by shard. Safetensors
     * shards are read with {@link SafetensorsFile}, all others with {@link TorchCheckpoint#read(Path)}; torch tensors
     * are made when looked up (see {@link TorchCheckpoint#tensors()}).
     *
     * @param index the index file; shards are resolved in its folder
     * @return name to tensor, unmodifiable
     * @throws NoSuchFileException if the index or a shard does not exist (the message names the shard)
     * @throws CheckpointFormatException if the index is malformed, or the shards and the index disagree
     * @throws IOException if a file cannot be read or a shard is malformed
     */
    public static Map<String, TensorData> read(Path index) throws IOException {
        Objects.requireNonNull(index, "index");
        return assemble(
                index,
                shard -> shard.getFileName().toString().endsWith(".safetensors")
                        ? SafetensorsFile.map(shard).tensors()
                        : TorchCheckpoint.read(shard).tensors());
    }

    /**
     * Opens every shard an index names, with the checks of {@link #read}, but maps nothing: safetensors shards are
     * opened with {@link SafetensorsFile#open}, all others with {@link TorchCheckpoint#open}, so each tensor is read
     * from its shard when asked for and loading them into a model holds the weights once.
     *
     * @param index the index file; shards are resolved in its folder
     * @return name to tensor, ordered shard by shard; closing it closes every shard
     * @throws NoSuchFileException if the index or a shard does not exist (the message names the shard)
     * @throws CheckpointFormatException if the index is malformed, or the shards and the index disagree
     * @throws IOException if a file cannot be read or a shard is malformed
     */
    public static CheckpointFiles.Opened open(Path index) throws IOException {
        Objects.requireNonNull(index, "index");
        List<Closeable> opened = new ArrayList<>();
        Closeable closeAll = () -> {
            IOException first = null;
            for (Closeable c : opened) {
                try {
                    c.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        };
        try {
            Map<String, TensorSource> tensors = assemble(index, shard -> {
                if (shard.getFileName().toString().endsWith(".safetensors")) {
                    SafetensorsFile.Reader reader = SafetensorsFile.open(shard);
                    opened.add(reader);
                    return reader.tensors();
                }
                CheckpointFiles.Opened file = TorchCheckpoint.open(shard, false);
                opened.add(file);
                return file.tensors();
            });
            return new CheckpointFiles.Opened(tensors, closeAll);
        } catch (IOException | RuntimeException e) {
            try {
                closeAll.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Reads one shard's tensors. */
    private interface ShardReader<T> {
        Map<String, T> read(Path shard) throws IOException;
    }

    /** Reads the shards an index names and checks them against it; the result is unmodifiable. */
    private static <T> Map<String, T> assemble(Path index, ShardReader<T> reader) throws IOException {
        Map<String, String> weightMap = weightMap(index);
        Path dir = index.toAbsolutePath().getParent();
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        weightMap.forEach((name, shard) ->
                byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(name));
        for (Map.Entry<String, List<String>> e : byShard.entrySet()) {
            Path shard = FolderFiles.confined(dir, e.getKey());
            if (!Files.isRegularFile(shard)) {
                List<String> names = e.getValue();
                throw new NoSuchFileException(
                        shard.toString(),
                        null,
                        "shard named by " + index + " (for tensor '" + names.get(0) + "'"
                                + (names.size() > 1 ? " and " + (names.size() - 1) + " more" : "")
                                + ") does not exist");
            }
        }
        Map<String, Map<String, T>> owners = new LinkedHashMap<>();
        Map<String, String> shardOf = new LinkedHashMap<>();
        for (String file : byShard.keySet()) {
            Map<String, T> tensors = reader.read(dir.resolve(file));
            for (String name : tensors.keySet()) {
                String other = shardOf.put(name, file);
                if (other != null) {
                    throw fail(index, "tensor '" + name + "' is in two shards, " + other + " and " + file);
                }
                if (!weightMap.containsKey(name)) {
                    throw fail(index, "tensor '" + name + "' of shard " + file + " is not in the index's weight_map");
                }
                owners.put(name, tensors);
            }
        }
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            String actual = shardOf.get(e.getKey());
            if (!e.getValue().equals(actual)) {
                throw fail(
                        index,
                        "weight_map puts tensor '" + e.getKey() + "' in shard " + e.getValue()
                                + ", which does not hold it" + (actual == null ? "" : " (shard " + actual + " does)"));
            }
        }
        return view(owners);
    }

    /**
     * Reads and checks an index's {@code weight_map}: tensor name to shard file name (a plain file name in the index's
     * folder).
     *
     * @param index the index file
     * @return name to shard file, in the order of the index
     * @throws CheckpointFormatException if the index is not valid JSON, has no {@code weight_map} object, names a key
     *     twice, or names a shard outside its folder
     * @throws IOException if the file cannot be read
     */
    public static Map<String, String> weightMap(Path index) throws IOException {
        long size = Files.size(index);
        if (size > MAX_INDEX) {
            throw fail(index, "index of " + size + " bytes is larger than " + MAX_INDEX + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(index));
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(index + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw fail(index, "no 'weight_map' object (tensor name -> shard file)");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw fail(
                        index,
                        "weight_map entry '" + e.getKey() + "' must be a shard file name, found "
                                + e.getValue().getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
            }
            String shard = e.getValue().asText();
            if (shard.isEmpty()
                    || shard.contains("/")
                    || shard.contains("\\")
                    || shard.equals(".")
                    || shard.equals("..")
                    || shard.indexOf('\0') >= 0) {
                throw fail(
                        index,
                        "weight_map entry '" + e.getKey() + "' names shard '" + shard
                                + "', which is not a file name in the index's folder");
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }

    /** An unmodifiable map whose values are looked up in the map that owns each name. */
    private static <T> Map<String, T> view(Map<String, Map<String, T>> owners) {
        return new AbstractMap<>() {
            @Override
            public T get(Object key) {
                Map<String, T> owner = owners.get(key);
                return owner == null ? null : owner.get(key);
            }

            @Override
            public boolean containsKey(Object key) {
                return owners.containsKey(key);
            }

            @Override
            public Set<String> keySet() {
                return Collections.unmodifiableSet(owners.keySet());
            }

            @Override
            public int size() {
                return owners.size();
            }

            @Override
            public Set<Map.Entry<String, T>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<String, T>> iterator() {
                        Iterator<Map.Entry<String, Map<String, T>>> it =
                                owners.entrySet().iterator();
                        return new Iterator<>() {
                            @Override
                            public boolean hasNext() {
                                return it.hasNext();
                            }

                            @Override
                            public Map.Entry<String, T> next() {
                                Map.Entry<String, Map<String, T>> e = it.next();
                                return new AbstractMap.SimpleImmutableEntry<>(
                                        e.getKey(), e.getValue().get(e.getKey()));
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return owners.size();
                    }
                };
            }
        };
    }

    private static CheckpointFormatException fail(Path index, String problem) {
        return new CheckpointFormatException(index + ": " + problem);
    }
}
