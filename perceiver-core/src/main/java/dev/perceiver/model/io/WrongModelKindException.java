package dev.perceiver.model.io;

import dev.perceiver.model.registry.ModelKind;
import java.nio.file.Path;

/**
 * A model folder that holds a model of another kind than the one asked for (e.g. a language model given to image
 * classification): bad input, so an {@link IllegalArgumentException}, whose one-line message names the folder, the
 * task and {@code model_type} found and those expected.
 */
public final class WrongModelKindException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient Path folder;
    private final transient ModelKind<?, ?> found;
    private final transient ModelKind<?, ?> expected;

    private WrongModelKindException(Path folder, ModelKind<?, ?> found, ModelKind<?, ?> expected, String user) {
        super("model folder " + folder + " holds " + described(found) + "; "
                + (user == null ? described(expected) + " is needed" : user + " needs " + described(expected)));
        this.folder = folder;
        this.found = found;
        this.expected = expected;
    }

    /** "an image-classification model (model_type perceiver-io-image-classifier)". */
    private static String described(ModelKind<?, ?> kind) {
        String task = kind.task();
        String article = !task.isEmpty() && "aeiou".indexOf(task.charAt(0)) >= 0 ? "an " : "a ";
        return article + task + " model (model_type " + kind.modelType() + ")";
    }

    /**
     * Checks the kind of a loaded folder.
     *
     * @param folder the folder, for the message
     * @param found the kind the folder holds
     * @param expected the kind needed
     * @param user what needs it, for the message (e.g. a command name such as {@code generate}), or null
     * @throws WrongModelKindException when {@code found} is not {@code expected}
     */
    public static void require(Path folder, ModelKind<?, ?> found, ModelKind<?, ?> expected, String user) {
        if (found != expected) {
            throw new WrongModelKindException(folder, found, expected, user);
        }
    }

    /** The folder. */
    public Path folder() {
        return folder;
    }

    /** The kind the folder holds. */
    public ModelKind<?, ?> found() {
        return found;
    }

    /** The kind that was needed. */
    public ModelKind<?, ?> expected() {
        return expected;
    }
}
