package dev.perceiver.train.run;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.nn.Module;
import dev.perceiver.train.Batch;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.config.CommandOptions;
import dev.perceiver.train.config.OptionTree;
import dev.perceiver.train.spec.LoadedData;
import dev.perceiver.train.spec.TrainingSpec;
import dev.perceiver.train.spec.TrainingSpecs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each task with embedded data builds, from its spec, data whose links make a model of the spec's model_type, and
 * its loss of one batch is finite and near chance.
 */
class SpecStepTest {
    @Test
    void embeddedDataTasksBuildModelAndLoss() throws Exception {
        for (String name : List.of("image-classifier", "mlm", "clm")) {
            TrainingSpec<?> spec = TrainingSpecs.of(name);
            ObjectNode values = CommandOptions.resolve(
                    new OptionTree(spec.defaults()), null, List.of("--data.batch_size=4", "--data.valid_batch_size=2"));
            RunOptions<?> options = RunOptions.parse(spec, values);
            try (LoadedData data = spec.loadData(values.get("data"), 0);
                    NDManager manager = NDManager.newBaseManager()) {
                Module model = TrainingRun.newModel(spec, manager, spec.modelConfig(options.model(), data));
                assertThat(ModelKinds.installed().forModel(model)).isSameAs(spec.modelKind());
                TrainingTask task = spec.task(model, data);
                Batch batch = data.module().validBatch(manager, 0);
                assertThat(batch.size()).isEqualTo(2);
                float loss = task.step(batch).loss().getFloat();
                assertThat(loss).as(name).isFinite().isPositive();
            }
        }
    }
}
