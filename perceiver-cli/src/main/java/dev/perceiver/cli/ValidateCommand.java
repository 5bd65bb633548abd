package dev.perceiver.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.train.Validation;
import dev.perceiver.train.config.CommandOptions;
import dev.perceiver.train.config.OptionTree;
import dev.perceiver.train.run.TrainingRun;
import dev.perceiver.train.spec.LoadedData;
import dev.perceiver.train.spec.TrainingSpec;
import dev.perceiver.train.spec.TrainingSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code perceiver validate TASK --checkpoint DIR [--data.* ...]}: validation loss (and accuracy) of a model. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate a model folder on the task's validation data.",
            "The folder is e.g. RUN/checkpoints/best; prints val_loss (and val_acc for classifiers).",
            "Data options (--data.*, --trainer.limit_val_batches,",
            "--seed_everything) default to those of the run the checkpoint belongs to, if any."
        })
public final class ValidateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TASK", description = "image-classifier, mlm, text-classifier or clm.")
    String task;

    @Option(
            names = {"--checkpoint", "--model"},
            required = true,
            paramLabel = "DIR|ID",
            description = "Model folder or Hugging Face Hub id owner/name[@revision].")
    Path checkpoint;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON config (its data section is used).")
    Path config;

    @Unmatched
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        TrainingSpec<?> spec = TrainingSpecs.of(task);
        ObjectNode defaults = spec.defaults();
        ObjectNode allowed = ConfigJson.MAPPER.createObjectNode();
        allowed.set("data", defaults.get("data"));
        allowed.putObject("trainer").put("limit_val_batches", -1L);
        allowed.set("seed_everything", defaults.get("seed_everything"));
        OptionTree tree = new OptionTree(allowed);
        Path runDir = checkpoint.toAbsolutePath().getParent() == null
                ? null
                : checkpoint.toAbsolutePath().getParent().getParent();
        if (runDir != null && Files.isRegularFile(runDir.resolve(TrainingRun.RUN_CONFIG))) {
            TrainingRun.SavedRun saved = TrainingRun.readRunConfig(runDir);
            if (saved.spec() == spec) {
                ObjectNode base = ConfigJson.MAPPER.createObjectNode();
                base.set("data", saved.options().get("data"));
                base.set("seed_everything", saved.options().get("seed_everything"));
                tree.applyTree("", base);
            }
        }
        if (config != null) {
            OptionTree full = new OptionTree(defaults);
            full.applyFile(config);
            ObjectNode base = ConfigJson.MAPPER.createObjectNode();
            base.set("data", full.values().get("data"));
            tree.applyTree("", base);
        }
        ObjectNode values = CommandOptions.resolve(tree, null, options);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelFolder.Loaded loaded = ModelFolder.load(checkpoint, manager);
            WrongModelKindException.require(checkpoint, loaded.kind(), spec.modelKind(), "validate " + spec.name());
            try (LoadedData data = spec.loadData(
                    values.get("data"), values.path("seed_everything").asLong())) {
                checkLinks("model", loaded.kind().writeConfig(loaded.model()), data.modelLinks());
                Validation v = Validation.run(
                        spec.task(loaded.model(), data),
                        data.module(),
                        values.path("trainer").path("limit_val_batches").asInt(-1),
                        manager);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "val_loss=%.4f", v.loss()));
                if (!Double.isNaN(v.accuracy())) {
                    sb.append(String.format(Locale.ROOT, " val_acc=%.4f", v.accuracy()));
                }
                sb.append(" examples=").append(v.examples());
                System.out.println(sb);
            }
        }
        return 0;
    }

    /** The model's config must agree with what the data requires (image shape, classes, vocabulary). */
    private static void checkLinks(String path, JsonNode model, JsonNode links) {
        for (Iterator<Map.Entry<String, JsonNode>> it = links.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = path + "." + e.getKey();
            JsonNode m = model.get(e.getKey());
            if (e.getValue().isObject()) {
                checkLinks(p, m == null ? ConfigJson.MAPPER.createObjectNode() : m, e.getValue());
            } else if (e.getKey().equals("max_seq_len")
                    && m != null
                    && m.asLong() >= e.getValue().asLong()) {
                continue;
            } else if (m == null || !m.equals(e.getValue())) {
                throw new IllegalArgumentException(
                        p + " of the checkpoint (" + m + ") does not fit the data (" + e.getValue() + ")");
            }
        }
    }
}
