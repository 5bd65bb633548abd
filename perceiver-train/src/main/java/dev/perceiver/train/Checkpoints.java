package dev.perceiver.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.SafetensorsFile;
import dev.perceiver.model.io.StateDicts;
import dev.perceiver.train.optim.AdamW;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training checkpoints: a model folder ({@link ModelFolder}: config.json, model.safetensors, task files such as the
 * tokenizer's) plus {@value #OPTIMIZER} (AdamW moments, step in the metadata) and {@value #STATE}
 * ({@link TrainerState}). A checkpoint folder is written beside its target and swapped in by renames, so a
 * crash leaves either the old or the new complete checkpoint; every file is also written atomically.
 */
public final class Checkpoints {
    /** Optimizer state file. */
    public static final String OPTIMIZER = "optimizer.safetensors";
    /** Trainer state file; written last, so its presence marks a complete checkpoint. */
    public static final String STATE = "trainer_state.json";

    private Checkpoints() {}

    /** Saves model, optimizer and trainer state as the checkpoint folder {@code dir}. */
    public static void save(Path dir, TrainingTask task, AdamW optimizer, TrainerState state) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp");
        Path old = parent.resolve("." + dir.getFileName() + ".old");
        deleteTree(tmp);
        ModelFolder.save(task.model(), tmp, task.configExtras());
        task.writeExtraFiles(tmp);
        SafetensorsFile.write(
                tmp.resolve(OPTIMIZER), optimizer.stateTensors(), Map.of("step", Long.toString(optimizer.stepCount())));
        AtomicFiles.writeString(tmp.resolve(STATE), ConfigJson.toString(state.toJson()) + "\n");
        deleteTree(old);
        if (Files.exists(dir)) {
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    /**
     * The complete checkpoint folder for {@code dir}: {@code dir} itself, or the copy left by a save interrupted
     * between its renames.
     */
    public static Path locate(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        for (Path p : new Path[] {
            dir, parent.resolve("." + dir.getFileName() + ".tmp"), parent.resolve("." + dir.getFileName() + ".old")
        }) {
            if (Files.isRegularFile(p.resolve(STATE))) {
                return p;
            }
        }
        throw new NoSuchFileException(dir.toString(), null, "no complete checkpoint (missing " + STATE + ")");
    }

    /** Reads the trainer state of a checkpoint folder. */
    public static TrainerState readState(Path dir) throws IOException {
        Path f = dir.resolve(STATE);
        JsonNode node;
        try {
            node = ConfigJson.parse(Files.readString(f));
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
        try {
            return TrainerState.fromJson(node, f.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Loads the model weights and the optimizer state of a checkpoint folder into existing objects. */
    public static void restore(Path dir, TrainingTask task, AdamW optimizer) throws IOException {
        Path weights = dir.resolve(ModelFolder.WEIGHTS);
        StateDicts.load(task.model(), SafetensorsFile.map(weights).tensors(), ModelFolder.PREFIX, weights.toString());
        Path opt = dir.resolve(OPTIMIZER);
        SafetensorsFile f = SafetensorsFile.map(opt);
        String step = f.metadata().get("step");
        if (step == null) {
            throw new IOException(opt + ": metadata has no 'step'");
        }
        try {
            optimizer.loadState(f.tensors(), Long.parseLong(step), opt.toString());
        } catch (NumberFormatException e) {
            throw new IOException(opt + ": step '" + step + "' is not an integer", e);
        }
    }

    /** Deletes a folder tree if it exists. */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
