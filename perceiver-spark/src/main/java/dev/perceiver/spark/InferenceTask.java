package dev.perceiver.spark;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The tasks of {@code perceiver spark}: their command names and the input fields each row must carry. */
public enum InferenceTask {
    FILL_MASK("fill-mask", "text"),
    CLASSIFY_TEXT("classify-text", "text"),
    GENERATE("generate", "prompt"),
    CLASSIFY_IMAGE("classify-image", "image"),
    EMBED("embed", "text"),
    FLOW("flow", "frame1", "frame2");

    private final String command;
    private final List<String> inputFields;

    InferenceTask(String command, String... inputFields) {
        this.command = command;
        this.inputFields = List.of(inputFields);
    }

    /** Name on the command line, e.g. {@code classify-text}. */
    public String command() {
        return command;
    }

    /**
     * Fields of an input row besides {@code id}, in order, as the CLI's {@code --json} output names them (the input
     * column {@code text} is accepted for {@code prompt}; {@code embed} reads {@code text} or {@code image}).
     */
    public List<String> inputFields() {
        return inputFields;
    }

    /** Whether the inputs are image files. */
    public boolean imageInput() {
        return this == CLASSIFY_IMAGE || this == FLOW;
    }

    /** The task named {@code name}; the error lists the valid names. */
    public static InferenceTask of(String name) {
        for (InferenceTask t : values()) {
            if (t.command.equals(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("task (" + name + ") must be one of "
                + Arrays.stream(values()).map(InferenceTask::command).collect(Collectors.joining(", ")));
    }
}
