package dev.perceiver.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a {@code train} command starts (shared by the local and the Spark strategy). */
class RunStartTest {
    @TempDir
    Path dir;

    @Test
    void newRunStartsFromTheTaskDefaults() throws Exception {
        TrainingRun.Start start = TrainingRun.Start.of("image-classifier", null);
        assertThat(start.spec().name()).isEqualTo("image-classifier");
        assertThat(start.tree().values().path("trainer").path("max_steps").isMissingNode())
                .isFalse();
    }

    @Test
    void resumeAppliesTheSavedOptionsAndRefusesAnotherTask() throws Exception {
        Files.writeString(
                dir.resolve(TrainingRun.RUN_CONFIG),
                "{\"task\": \"image-classifier\", \"options\": {\"trainer\": {\"max_steps\": 7}}}");
        TrainingRun.Start start = TrainingRun.Start.of(null, dir);
        assertThat(start.spec().name()).isEqualTo("image-classifier");
        assertThat(start.tree().values().path("trainer").path("max_steps").asInt())
                .isEqualTo(7);
        assertThat(TrainingRun.Start.of("image-classifier", dir).spec()).isSameAs(start.spec());
        assertThatThrownBy(() -> TrainingRun.Start.of("clm", dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task 'clm' differs from the run's task 'image-classifier'");
    }

    @Test
    void neitherTaskNorRunIsRefused() {
        assertThatThrownBy(() -> TrainingRun.Start.of(null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing TASK");
    }
}
