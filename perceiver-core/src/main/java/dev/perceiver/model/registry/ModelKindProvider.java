package dev.perceiver.model.registry;

import java.util.List;

/**
 * The service through which task packages register their {@link ModelKind}s: one implementation per task package
 * (e.g. {@code dev.perceiver.tasks.vision.VisionModelKinds}), named in
 * {@code META-INF/services/dev.perceiver.model.registry.ModelKindProvider} of its module and found by
 * {@link java.util.ServiceLoader}. Implementations need a public no-argument constructor.
 */
public interface ModelKindProvider {
    /** The kinds of this provider. */
    List<ModelKind<?, ?>> modelKinds();
}
