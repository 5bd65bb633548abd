package dev.perceiver.model.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.limits.ModelMemoryEstimate;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;

/**
 * Fuzz target of model configs: a config.json text goes through the parser, every installed model kind's config
 * reader and the memory estimate (what runs before a model is built). Anything but an
 * {@link IllegalArgumentException} (or success) is a finding.
 */
class ConfigFuzzTest {
    /** How long {@code -Pfuzz} fuzzes each target (Jazzer takes it from the annotation only). */
    static final String FUZZ_TIME = "1m";

    @FuzzTest(maxDuration = FUZZ_TIME)
    void configJson(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        ObjectNode config;
        try {
            config = ConfigJson.parse(text);
        } catch (IllegalArgumentException expected) {
            return;
        }
        for (ModelKind<?, ?> kind : ModelKinds.installed().all()) {
            try {
                JsonNode modelConfig = kind.modelConfig(config);
                if (modelConfig != null) {
                    kind.readConfig(modelConfig);
                    ModelMemoryEstimate.bytes(modelConfig);
                }
            } catch (IllegalArgumentException expected) {
                // refused with a message
            }
        }
    }
}
