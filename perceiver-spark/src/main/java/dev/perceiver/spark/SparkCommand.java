package dev.perceiver.spark;

import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.hub.ModelResolver;
import dev.perceiver.nn.EngineSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perceiver spark TASK --model DIR --input PATH --output DIR}: batch inference over a data set on Apache Spark,
 * embedded in local mode by default ({@code --master local[*]}) or on a cluster (a master URL, or spark-submit with
 * the shaded jar). Bad input exits with 2 and one line on stderr; a job that fails (a row with {@code --fail-fast})
 * with 1.
 */
@Command(
        name = "spark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Batch inference on Apache Spark: fill-mask, classify-text, generate (greedy), classify-image, embed "
                    + "or flow.",
            "%nInput: Parquet, JSON Lines or CSV (columns id and text; prompt or text for generate; image for "
                    + "classify-image and embed of an image model; frame1 and frame2 for flow), a text file (one "
                    + "input a line, id = line index) or an image folder (id = file name; flow pairs each frame with "
                    + "the next). Output: a folder of JSON Lines part files (part-*.txt), one line per input with "
                    + "its id and the fields of the single-process command's --json output, or error for a row "
                    + "that failed. The model is loaded once per executor JVM and run batch-size rows at a time.%n"
        })
public final class SparkCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "TASK",
            description = "fill-mask, classify-text, generate, classify-image, embed or flow.")
    String task;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|ID",
            description = "Model folder (readable by every executor at this path) "
                    + "or Hugging Face Hub id owner/name[@revision].")
    String model;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "Input file or folder.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output folder (must not exist).")
    Path output;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(
            names = "--batch-size",
            defaultValue = "16",
            paramLabel = "N",
            description = "Rows per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            paramLabel = "N",
            description = "Split the input into N partitions (default: 0 = as read).")
    int partitions;

    @Option(
            names = "--format",
            defaultValue = "json",
            paramLabel = "json|parquet",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--fail-fast",
            description =
                    "Fail the job at the first row that fails, naming it (default: write an error row and go on).")
    boolean failFast;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            description = "Labels (classify-*) or candidates (fill-mask) per input "
                    + "(default: 1 for classify-text, 5 otherwise).")
    Integer topK;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "32",
            paramLabel = "N",
            description = "generate: tokens per prompt (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(
            names = "--num-latents",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "generate: latent positions at the end of the prompt at the start (default: ${DEFAULT-VALUE}).")
    int numLatents;

    @Option(
            names = "--pooling",
            defaultValue = "mean",
            paramLabel = "mean|all",
            description = "embed: the mean of the latents or all of them (default: ${DEFAULT-VALUE}).")
    String pooling;

    @Option(
            names = "--min-overlap",
            defaultValue = "20",
            paramLabel = "PIXELS",
            description = "flow: minimum overlap of tiles (default: ${DEFAULT-VALUE}).")
    int minOverlap;

    @Option(
            names = "--threads",
            defaultValue = "0",
            paramLabel = "N",
            description = "libtorch threads per executor JVM (default: 0 = its cores / its task slots).")
    int threads;

    @Option(
            names = "--engine",
            defaultValue = "auto",
            paramLabel = "libtorch|onnxruntime|onnxruntime-int8|auto",
            description = "Engine of the forward passes and of generate's cached decoding steps (default:"
                    + " ${DEFAULT-VALUE}: ONNX Runtime on a graph exported from the model where it loads, else"
                    + " libtorch; embed runs on libtorch).")
    String engine;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        InferenceTask t = InferenceTask.of(task);
        if (!format.equals("json") && !format.equals("parquet")) {
            throw new IllegalArgumentException("--format (" + format + ") must be json or parquet");
        }
        Engine chosen = Engine.parse(engine);
        InferenceSettings.checkEngine(t, chosen);
        int k = topK != null ? topK : t == InferenceTask.CLASSIFY_TEXT ? 1 : 5;
        Path dir = ModelResolver.fromEnvironment().resolve(model);
        try (SparkSession spark = SparkSessions.open(master, "perceiver " + t.command())) {
            InferenceSettings settings = new InferenceSettings(
                    t,
                    dir.toAbsolutePath().toString(),
                    t.inputFields(),
                    batchSize,
                    k,
                    maxNewTokens,
                    numLatents,
                    pooling,
                    minOverlap,
                    threads,
                    SparkSessions.slotsPerExecutor(spark),
                    failFast,
                    chosen);
            SparkInference.Summary s =
                    SparkInference.run(spark, settings, input, output, partitions, format.equals("parquet"));
            System.out.printf(
                    Locale.ROOT,
                    "wrote %d rows (%d errors) to %s in %.1f s, %.1f rows/s%n",
                    s.rows(),
                    s.errors(),
                    output,
                    s.seconds(),
                    s.rowsPerSecond());
        }
        return 0;
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int execute(String... args) {
        return execute(new SparkCommand(), args);
    }

    /** Runs {@code command} (inference or training) with this module's error handling. */
    static int execute(Object command, String... args) {
        EngineSetup.builder().build().apply();
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (parseResult.hasMatchedOption("--verbose")
                    || parseResult.originalArgs().contains("--verbose")) {
                ex.printStackTrace(cmd.getErr());
            }
            Throwable row = find(ex, RowFailedException.class);
            Throwable shown = row != null ? row : ex;
            cmd.getErr().println("error: " + (shown.getMessage() == null ? shown : shown.getMessage()));
            return row == null
                            && (ex instanceof IllegalArgumentException
                                    || ex instanceof IOException
                                    || ex instanceof UncheckedIOException)
                    ? 2
                    : 1;
        });
        return cli.execute(args);
    }

    private static Throwable find(Throwable t, Class<?> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
        }
        return null;
    }
}
