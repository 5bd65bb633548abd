package dev.perceiver.train.task;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.Module;
import dev.perceiver.train.MetricsLog;
import dev.perceiver.train.Trainer;
import dev.perceiver.train.TrainerState;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.optim.AdamW;
import dev.perceiver.train.optim.LrSchedule;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hundreds of training steps leave the number of live arrays in the model's manager unchanged. */
class MemoryTest {
    @Test
    void liveArraysStayFlat(@TempDir Path tmp) throws Exception {
        ObjectNode values = TinyRuns.image(tmp, "--data.batch_size=2", "--trainer.log_every_n_steps=1000");
        LoadedData data = TaskData.load(TaskKind.IMAGE_CLASSIFIER, values.get("data"), 0);
        PrintStream err = System.err;
        try (NDManager manager = NDManager.newBaseManager()) {
            Module model = TaskKind.IMAGE_CLASSIFIER
                    .modelKind()
                    .createFromJson(
                            manager, TaskKind.IMAGE_CLASSIFIER.modelConfig(values.get("model"), data.modelLinks()));
            TrainingTask task = TaskKind.IMAGE_CLASSIFIER.task(model, data);
            AdamW opt = new AdamW(
                    TrainingRun.trainable(model, values.get("model")),
                    TrainingRun.optimizerConfig(values.get("optimizer")));
            int[] counts = new int[3];
            long[] steps = {10, 110, 210};
            TrainerState state = new TrainerState();
            System.setErr(new PrintStream(new java.io.ByteArrayOutputStream()));
            for (int i = 0; i < steps.length; i++) {
                values.with("trainer").put("max_steps", steps[i]).put("val_check_interval", 100000);
                new Trainer(
                                task,
                                data.module(),
                                opt,
                                LrSchedule.constant(),
                                1e-3,
                                TrainingRun.trainerConfig(values.get("trainer"), 0),
                                tmp,
                                "memory",
                                manager)
                        .fit(state, MetricsLog.create(tmp.resolve("metrics.csv")));
                counts[i] = manager.getManagedArrays().size();
            }
            assertThat(state.globalStep).isEqualTo(210);
            assertThat(counts[2]).as("live arrays after 110 and 210 steps").isEqualTo(counts[1]);
            assertThat(counts[1]).isEqualTo(counts[0]);
        } finally {
            System.setErr(err);
        }
    }
}
