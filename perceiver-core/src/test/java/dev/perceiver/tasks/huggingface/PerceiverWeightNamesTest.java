package dev.perceiver.tasks.huggingface;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.model.io.CheckpointFiles;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every transformers name of the fixture folders maps to a state-dict key and back to itself. */
class PerceiverWeightNamesTest {
    private static final Path FIXTURES =
            Path.of("..", "perceiver-train", "src", "test", "resources").resolve("fixtures-huggingface");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "language_perceiver",
                "text_classifier",
                "vision_fourier",
                "vision_learned",
                "vision_conv",
                "optical_flow"
            })
    void namesMapBothWays(String name) throws IOException {
        Path dir = FIXTURES.resolve(name);
        ModelFolder.Header h = ModelFolder.header(dir);
        ModelKind<?, ?> kind = ModelKinds.installed().resolve(h.modelType(), h.architectures());
        PerceiverWeightNames names = HuggingFaceModelKinds.NAMES.get(kind);
        assertThat(names).isNotNull();
        for (String hf : CheckpointFiles.read(CheckpointFiles.find(dir)).keySet()) {
            String ours = names.stateDictKey(hf);
            assertThat(ours).as(hf).isNotEqualTo(hf).doesNotStartWith("perceiver.");
            assertThat(names.huggingFaceName(ours)).isEqualTo(hf);
        }
        assertThat(names.stateDictKey("perceiver.unknown.weight")).isEqualTo("perceiver.unknown.weight");
        assertThat(names.huggingFaceName("0.unknown.weight")).isNull();
    }
}
