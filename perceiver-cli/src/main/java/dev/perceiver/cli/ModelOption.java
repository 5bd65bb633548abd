package dev.perceiver.cli;

import dev.perceiver.inference.hub.ModelResolver;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The one place where {@code --model} values become model folders: before the command runs, the value of its {@code
 * --model} option (any command that has one), or of a positional parameter whose {@code descriptionKey} is
 * {@value #POSITIONAL} (such as {@code convert}'s SRC), goes through {@link ModelResolver}, so that it may be a local
 * folder or a Hugging Face Hub id ({@code owner/name[@revision]}, taken from the hub cache or downloaded into it). The
 * command then sees a folder in its {@code Path} field. Nothing is resolved when help or the version is asked for; a
 * repeatable {@code --model} (serve) is resolved by its command.
 */
final class ModelOption implements CommandLine.IExecutionStrategy {
    /** The option whose value is resolved. */
    static final String NAME = "--model";
    /** The {@code descriptionKey} of a positional parameter that names a model folder or Hub id. */
    static final String POSITIONAL = "model";

    private final Supplier<ModelResolver> resolver;
    private final CommandLine.IExecutionStrategy next = new CommandLine.RunLast();

    /** @param resolver made only when a command has a {@code --model} value */
    ModelOption(Supplier<ModelResolver> resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    @Override
    public int execute(ParseResult parseResult) {
        ParseResult last = parseResult;
        boolean help = false;
        for (ParseResult p = parseResult; p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
            help |= p.isUsageHelpRequested() || p.isVersionHelpRequested();
            last = p;
        }
        if (!help) {
            OptionSpec option = last.commandSpec().findOption(NAME);
            if (option != null && !option.isMultiValue() && last.hasMatchedOption(option)) {
                resolve(
                        last,
                        option,
                        last.matchedOption(option.longestName()).stringValues().get(0));
            }
            for (PositionalParamSpec p : last.commandSpec().positionalParameters()) {
                if (POSITIONAL.equals(p.descriptionKey())
                        && last.hasMatchedPositional(p.index().min())) {
                    resolve(
                            last,
                            p,
                            last.matchedPositional(p.index().min())
                                    .stringValues()
                                    .get(0));
                }
            }
        }
        return next.execute(parseResult);
    }

    private void resolve(ParseResult command, ArgSpec spec, String value) {
        try {
            spec.setValue(resolver.get().resolve(value));
        } catch (IOException | RuntimeException e) {
            throw new CommandLine.ExecutionException(command.commandSpec().commandLine(), e.getMessage(), e);
        }
    }
}
