package dev.perceiver.train.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves the options of a command: defaults, then an optional config file, then {@code --key=value} /
 * {@code --key value} arguments (the reference's dotted names, e.g. {@code --model.num_latents=32}), plus the
 * LightningCLI shorthand {@code --optimizer=AdamW}. Dashes in names are read as underscores
 * ({@code --trainer.max-steps} is {@code --trainer.max_steps}). Adam without an explicit weight decay gets
 * torch's default 0.
 */
public final class CommandOptions {
    private CommandOptions() {}

    /** Applies the config file (or none) and the arguments to {@code tree}; returns the resolved values. */
    public static ObjectNode resolve(OptionTree tree, Path configFile, List<String> args) throws IOException {
        if (configFile != null) {
            tree.applyFile(configFile);
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'; options look like --section.name="
                        + "value, e.g. --trainer.max_steps=100");
            }
            String body = a.substring(2);
            String key;
            String value;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                key = body.substring(0, eq);
                value = body.substring(eq + 1);
            } else {
                key = body;
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new IllegalArgumentException("option --" + key + " needs a value (--" + key + "=VALUE)");
                }
                value = args.get(++i);
            }
            key = key.replace('-', '_');
            if ((key.equals("optimizer") || key.equals("lr_scheduler"))
                    && tree.get(key) != null
                    && tree.get(key).isObject()) {
                String simple = value.substring(value.lastIndexOf('.') + 1);
                if (tree.get(key).has("name")) {
                    tree.set(key + ".name", simple);
                } else if (!simple.equals(expectedScheduler(tree))) {
                    throw new IllegalArgumentException(
                            "--" + key + "=" + value + " is not supported; this task uses " + expectedScheduler(tree));
                }
                continue;
            }
            tree.set(key, value);
        }
        if (tree.get("optimizer.name") != null
                && tree.get("optimizer.name").asText().equals("Adam")
                && !tree.isExplicit("optimizer.weight_decay")) {
            tree.set("optimizer.weight_decay", "0.0");
        }
        return tree.values();
    }

    private static String expectedScheduler(OptionTree tree) {
        return tree.get("lr_scheduler.num_cycles") != null ? "CosineWithWarmupLR" : "ConstantWithWarmupLR";
    }
}
