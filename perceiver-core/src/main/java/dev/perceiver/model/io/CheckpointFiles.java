package dev.perceiver.model.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One entry point for the weight files of a model: finds a folder's weights and reads any supported file into the
 * map that {@link StateDicts#load(dev.perceiver.nn.Module, Map, String, String)} loads strictly.
 */
public final class CheckpointFiles {
    /**
     * The weight files a model folder may hold, in order of preference (safetensors first, as {@code transformers}
     * prefers them).
     */
    public static final List<String> WEIGHT_FILES = List.of(
            "model.safetensors",
            ShardedCheckpoint.SAFETENSORS_INDEX,
            "pytorch_model.bin",
            ShardedCheckpoint.TORCH_INDEX);

    private CheckpointFiles() {}

    /**
     * Returns the preferred weight file of a model folder.
     *
     * @param dir the folder
     * @return the first of {@link #WEIGHT_FILES} that exists in it
     * @throws NoSuchFileException if it holds none of them (the message lists the names looked for)
     */
    public static Path find(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        for (String name : WEIGHT_FILES) {
            Path p = FolderFiles.confined(dir, name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new NoSuchFileException(
                dir.toString(),
                null,
                "model folder has no weights (looked for " + String.join(", ", WEIGHT_FILES) + ")");
    }

    /**
     * Opens a weight file for loading into a model, so that its tensors go from the file straight into the parameters
     * (nothing is mapped or held in between): {@code *.safetensors} with {@link SafetensorsFile#open}, {@code
     * *.index.json} with {@link ShardedCheckpoint#open}, {@code *.ckpt} and any other ({@code .bin}, {@code .pt},
     * {@code .pth}) with {@link TorchCheckpoint#open}. The checks are those of {@link #read}.
     *
     * @param file the weight file
     * @return its tensors, ordered as in the file; close it once they are loaded
     * @throws IOException if the file cannot be read or is malformed (see the readers)
     */
    public static Opened open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            SafetensorsFile.Reader reader = SafetensorsFile.open(file);
            return new Opened(reader.tensors(), reader);
        }
        if (name.endsWith(".index.json")) {
            return ShardedCheckpoint.open(file);
        }
        return TorchCheckpoint.open(file, name.endsWith(".ckpt"));
    }

    /** A weight file opened by {@link #open}: its tensors, readable until it is closed. */
    public static final class Opened implements Closeable {
        private final Map<String, TensorSource> tensors;
        private final Closeable file;

        Opened(Map<String, ? extends TensorSource> tensors, Closeable file) {
            this.tensors = Collections.unmodifiableMap(tensors);
            this.file = file;
        }

        /** Name to tensor, ordered as in the file. */
        public Map<String, TensorSource> tensors() {
            return tensors;
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    /**
     * Reads a weight file by its name: {@code *.index.json} as a {@link ShardedCheckpoint}, {@code *.safetensors}
     * with {@link SafetensorsFile}, {@code *.ckpt} with {@link TorchCheckpoint#readLightning(Path)}, anything else
     * ({@code .bin}, {@code .pt}, {@code .pth}) with {@link TorchCheckpoint#read(Path)}.
     *
     * @param file the weight file
     * @return name to tensor, ordered as in the file
     * @throws IOException if the file cannot be read or is malformed (see the readers)
     */
    public static Map<String, TensorData> read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String name = file.getFileName().toString();
        if (name.endsWith(".index.json")) {
            return ShardedCheckpoint.read(file);
        }
        if (name.endsWith(".safetensors")) {
            return SafetensorsFile.map(file).tensors();
        }
        if (name.endsWith(".ckpt")) {
            return TorchCheckpoint.readLightning(file).tensors();
        }
        return TorchCheckpoint.read(file).tensors();
    }
}
