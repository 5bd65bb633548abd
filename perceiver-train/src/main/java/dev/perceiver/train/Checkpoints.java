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
 * crash leaves either the old or the new complete checkpoint ({@link #recover} puts it back in place); every file
 * is also written atomically.
 */
public final class Checkpoints {
    /** Optimizer state file. */
    public static final String OPTIMIZER = "optimizer.safetensors";
    /** Trainer state file; written last, so its presence marks a complete checkpoint. */
    public static final String STATE = "trainer_state.json";

    private Checkpoints() {}

    /**
     * Saves model, optimizer and trainer state as the checkpoint folder {@code dir}. On failure (a full disk, say)
     * the partial copy is deleted, {@code dir} keeps its previous content and the error names {@code dir}.
     */
    public static void save(Path dir, TrainingTask task, AdamW optimizer, TrainerState state) throws IOException {
        writeAndSwap(dir, tmp -> {
            ModelFolder.save(task.model(), tmp, task.configExtras());
            task.writeExtraFiles(tmp);
            SafetensorsFile.write(
                    tmp.resolve(OPTIMIZER),
                    optimizer.stateTensors(),
                    Map.of("step", Long.toString(optimizer.stepCount())));
            AtomicFiles.writeString(tmp.resolve(STATE), ConfigJson.toString(state.toJson()) + "\n");
        });
    }

    /** Fills a new folder. */
    @FunctionalInterface
    private interface FolderWriter {
        void write(Path folder) throws IOException;
    }

    /** Writes {@code .NAME.tmp} beside {@code dir} and swaps it in by renames; a failure leaves {@code dir} as is. */
    private static void writeAndSwap(Path dir, FolderWriter writer) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp");
        Path old = parent.resolve("." + dir.getFileName() + ".old");
        try {
            Files.createDirectories(parent);
            deleteTree(tmp);
            writer.write(tmp);
            deleteTree(old);
            if (Files.exists(dir)) {
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            try {
                deleteTree(tmp);
            } catch (IOException | RuntimeException ignored) {
                // the original failure is what matters
            }
            throw new IOException("could not save checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code dir} the complete checkpoint again after a crash: when a save was interrupted between its renames
     * the complete copy ({@code .NAME.tmp} or {@code .NAME.old}) is renamed to {@code dir}; the leftover copies are
     * deleted.
     *
     * @return {@code dir}
     * @throws NoSuchFileException when no complete checkpoint exists
     */
    public static Path recover(Path dir) throws IOException {
        Path located = locate(dir);
        Path parent = dir.toAbsolutePath().getParent();
        if (!located.equals(dir)) {
            deleteTree(dir);
            Files.move(located, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        deleteTree(parent.resolve("." + dir.getFileName() + ".tmp"));
        deleteTree(parent.resolve("." + dir.getFileName() + ".old"));
        return dir;
    }

    /**
     * Brings {@code best} in line with the trainer state of {@code last}: a crash between saving {@code last} and
     * {@code best} at a new best validation leaves {@code best} one validation behind, and then {@code last} is the
     * best checkpoint and is copied to {@code best}. Checkpoints are saved {@code last} first, so this is the only
     * way the two can disagree.
     *
     * @param state the trainer state of {@code last}
     * @return whether {@code best} was rewritten
     */
    public static boolean repairBest(Path last, Path best, TrainerState state) throws IOException {
        if (state.bestStep < 0) {
            return false;
        }
        Long bestStep = null;
        try {
            bestStep = readState(recover(best)).globalStep;
        } catch (NoSuchFileException e) {
            // no complete best: repaired below when last is the best
        }
        if (bestStep != null && bestStep == state.bestStep) {
            return false;
        }
        if (state.bestStep != state.globalStep) {
            throw new IOException(best + " holds step " + bestStep + " but " + last + " names step " + state.bestStep
                    + " as the best; delete " + best + " to continue without it");
        }
        writeAndSwap(best, tmp -> copyTree(last, tmp));
        return true;
    }

    /** Copies the files of a checkpoint folder (one level of sub-folders at most, as tokenizer files may have). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /**
     * Whether a checkpoint {@code dir} was ever completed: {@code dir} exists or a complete copy left by an
     * interrupted save does. When not, partial copies of a first save are deleted.
     */
    public static boolean anyComplete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            return true;
        }
        try {
            locate(dir);
            return true;
        } catch (NoSuchFileException e) {
            Path parent = dir.toAbsolutePath().getParent();
            deleteTree(parent.resolve("." + dir.getFileName() + ".tmp"));
            deleteTree(parent.resolve("." + dir.getFileName() + ".old"));
            return false;
        }
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
        try (SafetensorsFile.Reader file = SafetensorsFile.open(weights)) {
            StateDicts.load(task.model(), file.tensors(), ModelFolder.PREFIX, weights.toString());
        }
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
