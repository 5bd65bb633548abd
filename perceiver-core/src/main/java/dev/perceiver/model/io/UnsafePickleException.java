package dev.perceiver.model.io;

/**
 * Thrown when a checkpoint's pickle names a global (a Python class or function) outside the allow-list of what a state
 * dict needs, such as {@code os.system} or {@code builtins.eval}. Nothing named by the pickle has been executed or
 * instantiated when this is thrown: the reader never runs code, it only recognises the allowed names.
 */
public class UnsafePickleException extends CheckpointFormatException {
    private static final long serialVersionUID = 1L;

    /** The refused global as {@code module.name}. */
    private final String global;

    /**
     * Creates the exception.
     *
     * @param message the full message, naming the source and the global
     * @param global the refused global as {@code module.name}
     */
    public UnsafePickleException(String message, String global) {
        super(message);
        this.global = global;
    }

    /**
     * Returns the refused global.
     *
     * @return {@code module.name} as written in the pickle, e.g. {@code os.system}
     */
    public String global() {
        return global;
    }
}
