package dev.perceiver.model.registry;

import dev.perceiver.nn.Module;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The registry of {@link ModelKind}s: lookup by {@code model_type}, by architecture name and by model instance.
 *
 * <p>Registration is open: {@link #installed()} holds every kind of every {@link ModelKindProvider} on the class
 * path, found with {@link ServiceLoader} ({@code META-INF/services/dev.perceiver.model.registry.ModelKindProvider}).
 * A new task defines its kinds in its own package and lists its provider in that file; nothing here changes.
 * Architecture names are unique across all kinds; several kinds may share a {@code model_type} (Hugging Face's own
 * Perceiver configs all say {@code perceiver} and differ in their architecture), and are then told apart by
 * architecture ({@link #resolve}).
 */
public final class ModelKinds {
    private final List<ModelKind<?, ?>> kinds;
    private final Map<String, List<ModelKind<?, ?>>> byModelType = new LinkedHashMap<>();
    private final Map<String, ModelKind<?, ?>> byArchitecture = new LinkedHashMap<>();

    private ModelKinds(Collection<? extends ModelKind<?, ?>> kinds) {
        List<ModelKind<?, ?>> sorted = new ArrayList<>(kinds);
        sorted.sort(Comparator.comparing(ModelKind::modelType));
        this.kinds = List.copyOf(sorted);
        for (ModelKind<?, ?> k : this.kinds) {
            byModelType.computeIfAbsent(k.modelType(), t -> new ArrayList<>()).add(k);
            for (String a : k.architectures()) {
                ModelKind<?, ?> clash = byArchitecture.putIfAbsent(a, k);
                if (clash != null) {
                    throw new IllegalStateException("architecture '" + a + "' is registered by both model_type '"
                            + clash.modelType() + "' and model_type '" + k.modelType() + "'");
                }
            }
        }
    }

    /** A registry of exactly these kinds (e.g. for a test); an architecture name used twice is an error. */
    public static ModelKinds of(Collection<? extends ModelKind<?, ?>> kinds) {
        return new ModelKinds(kinds);
    }

    /** The kinds of every {@link ModelKindProvider} on the class path (loaded once). */
    public static ModelKinds installed() {
        return Installed.REGISTRY;
    }

    /** Holder of the installed registry (initialised on first use). */
    private static final class Installed {
        static final ModelKinds REGISTRY = load();

        private static ModelKinds load() {
            List<ModelKind<?, ?>> all = new ArrayList<>();
            try {
                for (ModelKindProvider p :
                        ServiceLoader.load(ModelKindProvider.class, ModelKinds.class.getClassLoader())) {
                    all.addAll(p.modelKinds());
                }
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("a model kind provider could not be loaded: " + e.getMessage(), e);
            }
            return new ModelKinds(all);
        }
    }

    /** Every kind, ordered by model_type. */
    public List<ModelKind<?, ?>> all() {
        return kinds;
    }

    /** The kinds of a {@code model_type} (empty when unknown). */
    public List<ModelKind<?, ?>> withModelType(String modelType) {
        return List.copyOf(byModelType.getOrDefault(modelType, List.of()));
    }

    /**
     * The kind of a {@code model_type}; an error names it and lists the known ones, or, when several kinds share it,
     * lists their architectures.
     */
    public ModelKind<?, ?> byModelType(String modelType) {
        List<ModelKind<?, ?>> kinds = byModelType.get(modelType);
        if (kinds == null) {
            throw new IllegalArgumentException(
                    "unknown model_type '" + modelType + "'; known: " + String.join(", ", byModelType.keySet()));
        }
        if (kinds.size() > 1) {
            throw new IllegalArgumentException("model_type '" + modelType + "' names " + kinds.size()
                    + " kinds; the architecture decides: " + architecturesOf(kinds));
        }
        return kinds.get(0);
    }

    /**
     * The kind of a model folder's {@code config.json}: by {@code model_type} when given (and, if several kinds share
     * it, by the first known name of {@code architectures}), else by the first of {@code architectures}.
     *
     * @param modelType {@code model_type}, or null
     * @param architectures {@code architectures}, or null
     */
    public ModelKind<?, ?> resolve(String modelType, List<String> architectures) {
        List<String> names = architectures == null ? List.of() : architectures;
        if (modelType == null) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("config names neither model_type nor architectures");
            }
            return byArchitecture(names.get(0));
        }
        List<ModelKind<?, ?>> kinds = byModelType.get(modelType);
        if (kinds == null || kinds.size() == 1) {
            return byModelType(modelType);
        }
        for (String name : names) {
            ModelKind<?, ?> k = byArchitecture.get(name);
            if (k != null && k.modelType().equals(modelType)) {
                return k;
            }
        }
        throw new IllegalArgumentException("model_type '" + modelType + "' with architectures " + names
                + " names none of its kinds; known architectures: " + architecturesOf(kinds));
    }

    private static String architecturesOf(List<ModelKind<?, ?>> kinds) {
        return kinds.stream().flatMap(k -> k.architectures().stream()).collect(Collectors.joining(", "));
    }

    /** The kind of an architecture name; an error names it and lists the known ones. */
    public ModelKind<?, ?> byArchitecture(String architecture) {
        ModelKind<?, ?> k = byArchitecture.get(architecture);
        if (k == null) {
            throw new IllegalArgumentException("unknown architecture '" + architecture + "'; known: "
                    + String.join(", ", byArchitecture.keySet()));
        }
        return k;
    }

    /**
     * The kind of a model instance (the kind it is saved as): the kind of its class, else the most specific kind whose
     * class it extends, among the kinds that are their own ({@link ModelKind#savedAs}); an error names the model's
     * class and lists the known ones.
     */
    public ModelKind<?, ?> forModel(Module model) {
        ModelKind<?, ?> best = null;
        for (ModelKind<?, ?> k : kinds) {
            if (k.savedAs() != k) {
                continue; // a kind of another layout: models are saved as their own kind
            }
            if (k.moduleClass() == model.getClass()) {
                return k;
            }
            if (k.moduleClass().isInstance(model)
                    && (best == null || best.moduleClass().isAssignableFrom(k.moduleClass()))) {
                best = k;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException(
                    "no model kind for " + model.getClass().getName() + "; known: "
                            + kinds.stream()
                                    .map(k -> k.moduleClass().getSimpleName() + " (" + k.modelType() + ")")
                                    .collect(Collectors.joining(", ")));
        }
        return best;
    }
}
