package dev.perceiver.inference.text;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A text model folder: the model in the reference's Hugging Face layout ({@link ModelFolder}) together with its
 * tokenizer files ({@link Tokenizer#forModelFolder}).
 *
 * @param model the loaded model (parameters in the caller's manager, or in {@code owned})
 * @param folder the whole loaded folder (type, config.json)
 * @param tokenizer the folder's tokenizer; close it (or this record) when done
 * @param owned the manager of the parameters when this folder made it ({@link #load(Path, String, ModelKind)}), closed
 *     with this record; null when the caller's
 * @param <M> model class
 */
public record TextModelFolder<M extends Module>(
        M model, ModelFolder.Loaded folder, Tokenizer tokenizer, NDManager owned) implements AutoCloseable {

    /**
     * Loads a folder that must hold a model of {@code kind}; the model is switched to inference mode.
     *
     * @param task what needs the model, for the error message (e.g. the command "fill-mask"), or null
     * @param kind the kind the folder must hold
     * @throws WrongModelKindException when the folder holds another kind
     */
    public static <M extends Module> TextModelFolder<M> load(
            Path dir, NDManager manager, String task, ModelKind<?, M> kind) throws IOException {
        ModelFolder.Loaded loaded = ModelFolder.load(dir, manager);
        WrongModelKindException.require(dir, loaded.kind(), kind, task);
        loaded.model().setTraining(false);
        return new TextModelFolder<>(kind.cast(loaded.model()), loaded, Tokenizer.forModelFolder(dir), null);
    }

    /**
     * As {@link #load(Path, NDManager, String, ModelKind)} with the parameters in a manager of their own, which
     * {@link #close} closes with the tokenizer.
     */
    public static <M extends Module> TextModelFolder<M> load(Path dir, String task, ModelKind<?, M> kind)
            throws IOException {
        NDManager manager = NDManager.newBaseManager();
        try {
            TextModelFolder<M> f = load(dir, manager, task, kind);
            return new TextModelFolder<>(f.model(), f.folder(), f.tokenizer(), manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads a folder ({@link #load(Path, String, ModelKind)}) into what {@code owner} makes of it, typically a pipeline
     * that closes the folder with itself; the folder is closed when {@code owner} throws.
     */
    static <M extends Module, P> P loadOwned(
            Path dir, String task, ModelKind<?, M> kind, Function<TextModelFolder<M>, P> owner) throws IOException {
        TextModelFolder<M> f = load(dir, task, kind);
        try {
            return owner.apply(f);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * Saves a model folder with the tokenizer's files and {@code tokenizer_class} in config.json, so that it loads
     * here and in the reference (Hugging Face {@code from_pretrained}).
     *
     * @param extra additional config.json entries (e.g. id2label), may be empty
     */
    public static void save(Module model, Path dir, Map<String, JsonNode> extra, Tokenizer tokenizer)
            throws IOException {
        Map<String, JsonNode> all = new LinkedHashMap<>(extra);
        if (tokenizer.tokenizerClass() != null) {
            all.putIfAbsent("tokenizer_class", TextNode.valueOf(tokenizer.tokenizerClass()));
        }
        tokenizer.save(dir);
        ModelFolder.save(model, dir, all);
    }

    /** Labels of a classifier folder ({@code id2label}), or null. */
    public String[] labels() {
        return folder.labels();
    }

    /** Closes the tokenizer and, when this folder made it, the parameters' manager. */
    @Override
    public void close() {
        tokenizer.close();
        if (owned != null) {
            owned.close();
        }
    }
}
