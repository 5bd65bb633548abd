package dev.perceiver.train.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Shapes a model config into a task's default {@code model} section. */
final class ModelDefaults {
    private ModelDefaults() {}

    /**
     * {@code config} without the fields the data determines ({@code linked}, dotted paths such as
     * {@code encoder.vocab_size}) and without the memory options that training does not support
     * ({@code activation_checkpointing}, {@code activation_offloading}).
     */
    static ObjectNode withoutLinked(ObjectNode config, String... linked) {
        for (String path : linked) {
            int dot = path.lastIndexOf('.');
            ObjectNode parent = dot < 0
                    ? config
                    : (ObjectNode) config.at("/" + path.substring(0, dot).replace('.', '/'));
            parent.remove(path.substring(dot + 1));
        }
        config.remove(List.of("activation_checkpointing", "activation_offloading"));
        return config;
    }
}
