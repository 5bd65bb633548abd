package dev.perceiver.train.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.train.config.CommandOptions;
import dev.perceiver.train.config.OptionTree;
import dev.perceiver.train.spec.TrainingSpecs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options of small, fast runs for tests. */
final class TinyRuns {
    private TinyRuns() {}

    /** A tiny image classifier on the embedded Fashion-MNIST subset writing runs below {@code root}. */
    static ObjectNode image(Path root, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--model.num_latents=8",
                "--model.num_latent_channels=32",
                "--model.encoder.num_frequency_bands=4",
                "--model.encoder.num_self_attention_heads=2",
                "--model.encoder.num_self_attention_layers_per_block=1",
                "--model.decoder.num_output_query_channels=32",
                "--model.encoder.dropout=0.1",
                "--data.batch_size=16",
                "--trainer.log_every_n_steps=1",
                "--trainer.limit_val_batches=4",
                "--trainer.default_root_dir=" + root));
        args.addAll(List.of(extra));
        return CommandOptions.resolve(
                new OptionTree(TrainingSpecs.of("image-classifier").defaults()), null, args);
    }
}
