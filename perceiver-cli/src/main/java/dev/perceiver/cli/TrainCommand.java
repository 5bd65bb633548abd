package dev.perceiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.perceiver.train.config.CommandOptions;
import dev.perceiver.train.run.TrainingRun;
import dev.perceiver.train.spec.TrainingSpec;
import dev.perceiver.train.spec.TrainingSpecs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code perceiver train TASK [--config FILE] [--resume RUN_DIR] [--section.option=value ...]}. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train a model: image-classifier, mlm, text-classifier, clm or symbolic-audio.",
            "Options use the reference's names: --model.* (model config), --data.* (dataset_dir, batch_size, ...),",
            "--optimizer.* (name AdamW|Adam, lr, betas, eps, weight_decay), --lr_scheduler.* (warmup_steps, ...),",
            "--trainer.* (max_steps, max_epochs, val_check_interval, limit_val_batches, accumulate_grad_batches,",
            "gradient_clip_val, log_every_n_steps, default_root_dir) and --seed_everything.",
            "Without data options, image-classifier trains on the embedded Fashion-MNIST subset and clm/mlm on",
            "an embedded public-domain text. The run folder (default runs/TASK-TIMESTAMP) receives config.json,",
            "metrics.csv, curves.png and checkpoints/{best,last}; the last stdout line names it with the final",
            "validation metrics. --print_config prints all options with their values and exits;",
            "TASK --help lists the task's options with their defaults."
        })
public final class TrainCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "TASK",
            description = "image-classifier, mlm, text-classifier, clm or symbolic-audio (optional with --resume).")
    String task;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON config; options override it.")
    Path config;

    @Option(
            names = "--resume",
            paramLabel = "RUN_DIR",
            description = "Continue the run in RUN_DIR from checkpoints/last with its saved options (options given "
                    + "here override them, e.g. a larger --trainer.max_steps).")
    Path resume;

    @Option(names = "--print_config", description = "Print the resolved options as YAML and exit.")
    boolean printConfig;

    @Unmatched
    List<String> options = new ArrayList<>();

    /** Key of the help section that lists the options of the task given with {@code --help}. */
    static final String TASK_OPTIONS_SECTION = "taskOptions";

    /** Adds the task options section to the usage message, after the command's own options. */
    @Spec
    void addTaskOptionsHelp(CommandSpec spec) {
        UsageMessageSpec usage = spec.usageMessage();
        usage.sectionMap().put(TASK_OPTIONS_SECTION, this::taskOptionsHelp);
        List<String> keys = new ArrayList<>(usage.sectionKeys());
        keys.add(keys.indexOf(UsageMessageSpec.SECTION_KEY_OPTION_LIST) + 1, TASK_OPTIONS_SECTION);
        usage.sectionKeys(keys);
    }

    /** {@code train TASK --help}: every option of the task as {@code --section.name=default}, in tree order. */
    private String taskOptionsHelp(Help help) {
        String nl = System.lineSeparator();
        if (task == null) {
            return nl + "perceiver train TASK --help lists the options of TASK with their defaults." + nl;
        }
        TrainingSpec<?> spec;
        try {
            spec = TrainingSpecs.of(task);
        } catch (IllegalArgumentException e) {
            return nl + e.getMessage() + nl;
        }
        StringBuilder sb = new StringBuilder(nl)
                .append("Options of ")
                .append(spec.name())
                .append(" (defaults):")
                .append(System.lineSeparator());
        appendOptions(sb, "", spec.defaults());
        return sb.toString();
    }

    private static void appendOptions(StringBuilder sb, String prefix, JsonNode node) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                appendOptions(sb, key + ".", v);
            } else {
                sb.append("  --")
                        .append(key)
                        .append('=')
                        .append(v.isValueNode() ? v.asText() : v.toString())
                        .append(System.lineSeparator());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        TrainingRun.Start start = TrainingRun.Start.of(task, resume);
        TrainingSpec<?> spec = start.spec();
        ObjectNode values = CommandOptions.resolve(start.tree(), config, options);
        if (printConfig) {
            System.out.print(new ObjectMapper(new YAMLFactory()).writeValueAsString(values));
            return 0;
        }
        TrainingRun.Outcome outcome = resume != null
                ? TrainingRun.resume(spec, values, resume, System.err)
                : TrainingRun.start(spec, values, System.err);
        System.err.printf(
                java.util.Locale.ROOT,
                "trained %d steps, %.1f s in training steps, %.1f samples/s%n",
                outcome.result().steps(),
                outcome.result().trainSeconds(),
                outcome.result().samplesPerSecond());
        System.out.println(outcome.summary());
        return 0;
    }
}
