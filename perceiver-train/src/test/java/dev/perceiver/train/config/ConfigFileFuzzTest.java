package dev.perceiver.train.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.perceiver.train.run.RunOptions;
import dev.perceiver.train.spec.TrainingSpec;
import dev.perceiver.train.spec.TrainingSpecs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target of training config files ({@code --config FILE.yaml}): applied to every task's defaults and read as the
 * run's options, any content is accepted or fails with an {@link IOException} / {@link IllegalArgumentException}.
 */
class ConfigFileFuzzTest {
    /** How long {@code -Pfuzz} fuzzes each target (Jazzer takes it from the annotation only). */
    static final String FUZZ_TIME = "1m";

    private static Path file;

    @FuzzTest(maxDuration = FUZZ_TIME)
    void yaml(byte[] content) {
        try {
            if (file == null) {
                file = Files.createTempFile("config-fuzz", ".yaml");
                file.toFile().deleteOnExit();
            }
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (TrainingSpec<?> spec : TrainingSpecs.all()) {
            try {
                OptionTree tree = new OptionTree(spec.defaults());
                tree.applyFile(file);
                RunOptions.parse(spec, tree.values());
            } catch (IOException | IllegalArgumentException expected) {
                // refused with a message
            }
        }
    }
}
