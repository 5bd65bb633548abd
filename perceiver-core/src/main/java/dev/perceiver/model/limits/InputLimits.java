package dev.perceiver.model.limits;

/**
 * The size limits every reader of untrusted input checks before it allocates: one place to find (and change) them.
 * Each limit is far above what the published models and data sets need, and far below what would exhaust a machine.
 * Sizes a file declares are also checked against the file's real size where the format allows it, and model configs
 * and batch sizes against the memory actually available ({@link MemoryBudget}).
 */
public final class InputLimits {
    /** Largest image (width x height) an image reader decodes: 2^26 = 67 M pixels, e.g. 8192 x 8192. */
    public static final long MAX_IMAGE_PIXELS = 1L << 26;

    /** Largest gap between two MIDI events, in seconds (one day). */
    public static final double MAX_MIDI_GAP_SECONDS = 24 * 3600;

    /** Most event tokens one MIDI file may encode to (2^22 = 4 M, weeks of dense music). */
    public static final int MAX_MIDI_TOKENS = 1 << 22;

    /** Largest IDX data section (images or labels), in bytes, after decompression (2^31 - 16, a Java array). */
    public static final long MAX_IDX_BYTES = Integer.MAX_VALUE - 16L;

    /** Largest number of classes (integer labels must lie in 0..MAX_CLASSES-1). */
    public static final int MAX_CLASSES = 1 << 16;

    /** Largest token id a tokenizer file may declare (2^24 - 1; the largest public vocabularies have 256K tokens). */
    public static final long MAX_TOKEN_ID = (1L << 24) - 1;

    /** Longest regular expression a {@code tokenizer.json} may hand to the native tokenizer library, in characters. */
    public static final int MAX_TOKENIZER_PATTERN_LENGTH = 4096;

    /** Most tokens one generation may produce ({@code --max-new-tokens}). */
    public static final int MAX_NEW_TOKENS = 1 << 20;

    /** Largest JSON or YAML config file read, in bytes. */
    public static final long MAX_CONFIG_BYTES = 64L << 20;

    private InputLimits() {}

    /**
     * Checks a declared size against a limit.
     *
     * @param what the field or header entry, for the message
     * @throws IllegalArgumentException naming {@code what}, the value and the limit when {@code value > limit}
     */
    public static void check(String what, long value, long limit) {
        if (value > limit) {
            throw new IllegalArgumentException(what + " (" + value + ") exceeds the limit of " + limit);
        }
    }
}
