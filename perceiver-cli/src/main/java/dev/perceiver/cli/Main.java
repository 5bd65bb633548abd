package dev.perceiver.cli;

import dev.perceiver.inference.hub.ModelResolver;
import dev.perceiver.nn.EngineSetup;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code perceiver} command. Bad input (an {@link IllegalArgumentException} or an I/O error) is reported as one
 * line on stderr with exit code 2; {@code --verbose} adds the stack trace. A command's {@code --model} may be a folder
 * or a Hugging Face Hub id ({@link ModelOption}).
 */
@Command(
        name = "perceiver",
        mixinStandardHelpOptions = true,
        version = "perceiver 0.1.0",
        description = "Perceiver, Perceiver IO and Perceiver AR on the JVM: train, run and check models.",
        footer = {
            "",
            "Also, through the ./perceiver launcher (with Apache Spark on the class path):",
            "  spark           Batch inference on Apache Spark (see ./perceiver spark --help).",
            "  train ... --trainer.strategy=spark   Data-parallel training on Spark."
        },
        subcommands = {
            ParityCommand.class,
            TrainCommand.class,
            ValidateCommand.class,
            GenerateCommand.class,
            FillMaskCommand.class,
            ClassifyTextCommand.class,
            GenerateAudioCommand.class,
            ClassifyImageCommand.class,
            FlowCommand.class,
            ConvertCommand.class,
            ExportOnnxCommand.class,
            BenchCommand.class,
            ServeCommand.class,
            LoadTestCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int execute(String... args) {
        return execute(ModelResolver::fromEnvironment, args);
    }

    /** Runs the command line with {@code --model} values resolved by the given resolver (Hub settings of tests). */
    static int execute(Supplier<ModelResolver> models, String... args) {
        // offline unless the JVM says otherwise: libtorch comes from the native jar (see the cuda profile)
        EngineSetup.builder().build().apply();
        CommandLine cli = new CommandLine(new Main());
        cli.setUseSimplifiedAtFiles(true); // @FILE: one argument per line
        cli.setExecutionStrategy(new ModelOption(models));
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            Throwable t = ex;
            if (verbose) {
                t.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println("error: " + message(t));
            return t instanceof IllegalArgumentException
                            || t instanceof java.io.IOException
                            || t instanceof java.io.UncheckedIOException
                    ? 2
                    : 1;
        });
        return cli.execute(sameSpelling(args));
    }

    /**
     * Options in either spelling: the inference commands' dashes ({@code --max-new-tokens}) also as underscores, and
     * train and validate's underscores ({@code --trainer.max_steps}, {@code --print_config}) also as dashes (there
     * {@code CommandOptions} turns the dashes of dotted names into underscores). Arguments after {@code --} and values
     * are left as they are.
     */
    static String[] sameSpelling(String[] args) {
        String command = null;
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            String a = out[i];
            if (a.equals("--")) {
                break;
            }
            if (command == null && !a.startsWith("-")) {
                command = a;
                continue;
            }
            if (command == null || !a.startsWith("--")) {
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
            String rest = eq < 0 ? "" : a.substring(eq);
            boolean training = command.equals("train") || command.equals("validate");
            if (!training && name.indexOf('_') >= 0) {
                out[i] = "--" + name.replace('_', '-') + rest;
            } else if (training && name.equals("print-config")) {
                out[i] = "--print_config" + rest;
            }
        }
        return out;
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
