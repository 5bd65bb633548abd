package dev.perceiver.train.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The registered training specs, in registration order: every {@link TrainingSpec} named in a
 * {@code META-INF/services/dev.perceiver.train.spec.TrainingSpec} file on the class path.
 */
public final class TrainingSpecs {
    private static final List<TrainingSpec<?>> ALL = load();

    private TrainingSpecs() {}

    private static List<TrainingSpec<?>> load() {
        List<TrainingSpec<?>> out = new ArrayList<>();
        for (TrainingSpec<?> spec : ServiceLoader.load(TrainingSpec.class, TrainingSpec.class.getClassLoader())) {
            for (TrainingSpec<?> other : out) {
                if (other.name().equals(spec.name())) {
                    throw new IllegalStateException(
                            "training specs " + other.getClass().getName() + " and "
                                    + spec.getClass().getName() + " both register task '" + spec.name() + "'");
                }
            }
            out.add(spec);
        }
        return Collections.unmodifiableList(out);
    }

    /** All specs in registration order. */
    public static List<TrainingSpec<?>> all() {
        return ALL;
    }

    /** The names of all tasks, comma-separated, e.g. {@code image-classifier, mlm, ...}. */
    public static String names() {
        return ALL.stream().map(TrainingSpec::name).collect(Collectors.joining(", "));
    }

    /** The spec of a task name; the error lists the valid names. */
    public static TrainingSpec<?> of(String name) {
        for (TrainingSpec<?> spec : ALL) {
            if (spec.name().equals(name)) {
                return spec;
            }
        }
        throw new IllegalArgumentException("unknown task '" + name + "'; valid: " + names());
    }
}
