package dev.perceiver.train.run;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
import dev.perceiver.model.limits.ModelMemoryEstimate;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import dev.perceiver.train.Checkpoints;
import dev.perceiver.train.DataParallel;
import dev.perceiver.train.MetricsLog;
import dev.perceiver.train.Trainer;
import dev.perceiver.train.TrainerState;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.config.ModelOptions;
import dev.perceiver.train.config.OptionTree;
import dev.perceiver.train.optim.AdamW;
import dev.perceiver.train.optim.LrSchedule;
import dev.perceiver.train.spec.LoadedData;
import dev.perceiver.train.spec.TrainingSpec;
import dev.perceiver.train.spec.TrainingSpecs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code perceiver train} run: builds data, model, optimizer and schedule from the resolved options of a task's
 * {@link TrainingSpec}, creates (or resumes) the run folder ({@code config.json} with the task and all options,
 * {@code metrics.csv}, {@code curves.png}, {@code checkpoints/best|last}) and trains.
 */
public final class TrainingRun {
    /** File of the run folder with the task name and the resolved options. */
    public static final String RUN_CONFIG = "config.json";
    /** File of the run folder with the metrics rows. */
    public static final String METRICS = "metrics.csv";
    /** Checkpoint folder of the latest validation. */
    public static final String LAST = "last";
    /** Checkpoint folder of the lowest validation loss. */
    public static final String BEST = "best";

    /**
     * What a finished run reports.
     *
     * @param unigramEntropy entropy (nats) of the training text's byte distribution, or NaN
     */
    public record Outcome(Trainer.Result result, double unigramEntropy, long numParameters) {
        /** The final stdout line: run folder and validation metrics. */
        public String summary() {
            StringBuilder sb = new StringBuilder("run=").append(result.runDir());
            sb.append(String.format(Locale.ROOT, " val_loss=%.4f", result.valLoss()));
            if (!Double.isNaN(result.valAccuracy())) {
                sb.append(String.format(Locale.ROOT, " val_acc=%.4f", result.valAccuracy()));
            }
            if (!Double.isNaN(unigramEntropy)) {
                sb.append(String.format(Locale.ROOT, " unigram_entropy=%.4f", unigramEntropy));
            }
            return sb.toString();
        }
    }

    /**
     * The task and resolved options saved in a run folder's {@value #RUN_CONFIG}.
     *
     * @param options the option tree of the run
     */
    public record SavedRun(TrainingSpec<?> spec, ObjectNode options) {}

    private TrainingRun() {}

    /** Starts a new run of {@code spec} with the resolved options {@code values}. */
    public static Outcome start(TrainingSpec<?> spec, ObjectNode values, PrintStream log) throws IOException {
        return startOrResume(spec, values, null, log);
    }

    /** Continues a run from its {@code checkpoints/last} with (possibly overridden) options. */
    public static Outcome resume(TrainingSpec<?> spec, ObjectNode values, Path runDir, PrintStream log)
            throws IOException {
        return startOrResume(spec, values, runDir, log);
    }

    /**
     * Reads the options, loads the data, builds the model and (on resume) restores and checks the checkpoint; only
     * when all of that passed, creates the run folder (unless {@code resumeDir} is one), saves the options and trains.
     * A run that fails validation leaves no folder behind and a resumed run's {@value #RUN_CONFIG} unchanged.
     */
    private static <D> Outcome startOrResume(TrainingSpec<D> spec, ObjectNode values, Path resumeDir, PrintStream log)
            throws IOException {
        RunOptions<D> options = RunOptions.parse(spec, values);
        if (!options.strategy().equals("single")) {
            throw new IllegalArgumentException(
                    "trainer.strategy=" + options.strategy() + " runs in the perceiver-spark module: start it with "
                            + "./perceiver train ... (the launcher switches to it) or spark-submit "
                            + "perceiver-spark-dist.jar train ...");
        }
        return run(spec, options, values, resumeDir, null, log);
    }

    /**
     * The run folder of a new run (created in {@code trainer.default_root_dir}) or of the resumed one, with the task
     * and options written to its {@value #RUN_CONFIG}.
     *
     * @param resumeDir the run folder to continue, or null for a new one
     */
    public static Path prepare(TrainingSpec<?> spec, ObjectNode values, Path resumeDir) throws IOException {
        RunOptions<?> options = RunOptions.parse(spec, values);
        Path runDir = resumeDir != null ? resumeDir : newRunDir(options.rootDir(), spec.name());
        ObjectNode saved = ConfigJson.MAPPER.createObjectNode();
        saved.put("task", spec.name());
        saved.set("options", values);
        AtomicFiles.writeString(runDir.resolve(RUN_CONFIG), ConfigJson.toString(saved) + "\n");
        return runDir;
    }

    /**
     * One worker of a data-parallel run in a folder made by {@link #prepare}: it resumes from {@code checkpoints/last}
     * when that exists (a resumed run, or a retry after a failed worker), else starts fresh. Worker 0 writes metrics,
     * checkpoints and curves; the others only train. Workers in one JVM build their models one at a time, from the
     * same seed.
     */
    public static <D> Outcome runWorker(
            TrainingSpec<D> spec, ObjectNode values, Path runDir, DataParallel parallel, PrintStream log)
            throws IOException {
        RunOptions<D> options = RunOptions.parse(spec, values);
        return run(spec, options, values, runDir, parallel, log);
    }

    /**
     * Loads the data, builds the model and (on resume) restores and checks the checkpoint; only when all of that
     * passed, creates the run folder (unless {@code resumeDir} is one), saves the options and trains. A data-parallel
     * worker ({@code parallel} not null) trains in the folder {@link #prepare} made, resuming from its
     * {@code checkpoints/last} when there is one; only worker 0 writes.
     */
    private static <D> Outcome run(
            TrainingSpec<D> spec,
            RunOptions<D> options,
            ObjectNode values,
            Path resumeDir,
            DataParallel parallel,
            PrintStream log)
            throws IOException {
        long seed = options.seed();
        LoadedData data = spec.loadData(options.data(), seed);
        try (data;
                NDManager manager = NDManager.newBaseManager()) {
            JsonNode modelConfig = spec.modelConfig(options.model(), data);
            checkBatchMemory(modelConfig, values.path("data"));
            Module model = Trainer.withEngineSeed(seed, () -> newModel(spec, manager, modelConfig));
            TrainingTask task = spec.task(model, data);
            AdamW optimizer = new AdamW(trainable(model, options.model()), options.optimizer());
            int numBatches = data.module().numTrainBatches();
            long total = options.trainer().totalSteps(numBatches);
            boolean writer = parallel == null || parallel.rank() == 0;
            PrintStream out = writer ? log : new PrintStream(java.io.OutputStream.nullOutputStream());
            options.trainer()
                    .warnings(numBatches, options.lrScheduler().warmupSteps())
                    .forEach(out::println);
            LrSchedule schedule = options.lrScheduler().schedule(total);
            Path runDir;
            TrainerState state;
            MetricsLog metrics;
            if (resumeDir != null) {
                runDir = resumeDir;
                state = restore(runDir, task, optimizer, seed, writer);
                if (state == null) {
                    out.println("no checkpoint in " + runDir + " yet: starting it again from step 0");
                    state = new TrainerState();
                    state.seed = seed;
                }
                if (state.globalStep > total) {
                    throw new IllegalArgumentException("the run has done " + state.globalStep + " steps, more than "
                            + "the " + total + " that trainer.max_steps ("
                            + options.trainer().maxSteps()
                            + ") and trainer.max_epochs (" + options.trainer().maxEpochs() + ") allow; resume with "
                            + "--trainer.max_steps=" + state.globalStep + " or more");
                }
                metrics = MetricsLog.resume(runDir.resolve(METRICS), state.globalStep);
                if (writer) {
                    metrics.rewrite();
                }
                out.println("resuming " + runDir + " at step " + state.globalStep + " (epoch " + state.epoch
                        + ", batch " + state.batch + ")");
            } else {
                runDir = newRunDir(options.rootDir(), spec.name());
                state = new TrainerState();
                state.seed = seed;
                metrics = MetricsLog.create(runDir.resolve(METRICS));
            }
            if (parallel == null) { // a data-parallel run's folder and config come from prepare
                ObjectNode saved = ConfigJson.MAPPER.createObjectNode();
                saved.put("task", spec.name());
                saved.set("options", values);
                AtomicFiles.writeString(runDir.resolve(RUN_CONFIG), ConfigJson.toString(saved) + "\n");
            }
            out.println("task " + spec.name() + ": " + String.format(Locale.ROOT, "%,d", model.numParameters())
                    + " parameters; data " + data.module().describe() + "; "
                    + (total == Long.MAX_VALUE ? "?" : Long.toString(total)) + " steps; run folder " + runDir);
            Trainer trainer = new Trainer(
                    task,
                    data.module(),
                    optimizer,
                    schedule,
                    options.optimizer().lr(),
                    options.trainer(),
                    runDir,
                    spec.name(),
                    manager,
                    parallel);
            Trainer.Result result = trainer.fit(state, metrics);
            return new Outcome(result, data.unigramEntropy(), model.numParameters());
        }
    }

    /** A new folder {@code root/TASK-TIMESTAMP} (with a suffix -2, -3, ... when that exists). */
    private static Path newRunDir(Path root, String task) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path runDir = root.resolve(task + "-" + stamp);
        for (int i = 2; Files.exists(runDir); i++) {
            runDir = root.resolve(task + "-" + stamp + "-" + i);
        }
        Files.createDirectories(runDir);
        return runDir;
    }

    /**
     * The task and the option tree a {@code train} command starts from, before its config files and overrides: the
     * task's defaults for a new run, or the defaults with the run's saved options applied for {@code --resume}.
     *
     * @param task the task name, or null with {@code resume} (then it must name the run's task, when given)
     * @param resume the run folder to resume, or null for a new run
     */
    public record Start(TrainingSpec<?> spec, OptionTree tree) {
        public static Start of(String task, Path resume) throws IOException {
            if (resume != null) {
                SavedRun saved = readRunConfig(resume);
                TrainingSpec<?> spec = saved.spec();
                if (task != null && TrainingSpecs.of(task) != spec) {
                    throw new IllegalArgumentException(
                            "task '" + task + "' differs from the run's task '" + spec.name() + "' in " + resume);
                }
                OptionTree tree = new OptionTree(spec.defaults());
                tree.applyTree("", saved.options());
                return new Start(spec, tree);
            }
            if (task == null) {
                throw new IllegalArgumentException("missing TASK (" + TrainingSpecs.names() + ") or --resume RUN_DIR");
            }
            TrainingSpec<?> spec = TrainingSpecs.of(task);
            return new Start(spec, new OptionTree(spec.defaults()));
        }
    }

    /** Reads the task and options saved in a run folder. */
    public static SavedRun readRunConfig(Path runDir) throws IOException {
        Path f = runDir.resolve(RUN_CONFIG);
        if (!Files.isRegularFile(f)) {
            throw new NoSuchFileException(f.toString(), null, "not a run folder (no " + RUN_CONFIG + ")");
        }
        ObjectNode o;
        try {
            o = ConfigJson.parse(Files.readString(f));
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
        if (!o.path("task").isTextual() || !o.path("options").isObject()) {
            throw new IOException(f + ": needs 'task' and 'options'");
        }
        return new SavedRun(TrainingSpecs.of(o.get("task").asText()), (ObjectNode) o.get("options"));
    }

    /** A freshly initialised model of the spec's model kind ({@code model_type}) built from {@code modelConfig}. */
    public static Module newModel(TrainingSpec<?> spec, NDManager manager, JsonNode modelConfig) {
        return spec.modelKind().createFromJson(manager, modelConfig);
    }

    /** Fails, naming the option and the estimate, when a training or validation batch would not fit in memory. */
    private static void checkBatchMemory(JsonNode modelConfig, JsonNode dataValues) {
        for (String field : new String[] {"batch_size", "valid_batch_size"}) {
            JsonNode v = dataValues.path(field);
            if (v.canConvertToInt() && v.asInt() > 0) {
                ModelMemoryEstimate.checkBatch(modelConfig, "data." + field, v.asInt());
            }
        }
    }

    /**
     * The state of {@code checkpoints/last}, with the model's and optimizer's tensors restored from it, or null when
     * the run was stopped before its first checkpoint (no {@code last}, and no complete copy of it
     * from an interrupted save).
     */
    private static TrainerState restore(Path runDir, TrainingTask task, AdamW optimizer, long seed, boolean repair)
            throws IOException {
        Path checkpoints = runDir.resolve(Trainer.CHECKPOINTS);
        if (repair) {
            AtomicFiles.deleteTempFiles(runDir);
        }
        if (!Checkpoints.anyComplete(checkpoints.resolve(LAST))) {
            return null;
        }
        Path ckpt = Checkpoints.recover(checkpoints.resolve(LAST));
        TrainerState state = Checkpoints.readState(ckpt);
        if (state.seed != seed) {
            throw new IllegalArgumentException("seed_everything (" + seed + ") differs from the run's seed ("
                    + state.seed + "); a resumed run keeps its seed");
        }
        Checkpoints.restore(ckpt, task, optimizer);
        if (repair) {
            Checkpoints.repairBest(ckpt, checkpoints.resolve(BEST), state);
        }
        return state;
    }

    /** Trainable parameters, without those of a frozen encoder ({@code 0.*}) or decoder ({@code 1.*}). */
    public static Map<String, Parameter> trainable(Module model, ModelOptions options) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, p) -> {
            if (!p.isBuffer()
                    && !(options.encoderFrozen() && k.startsWith("0."))
                    && !(options.decoderFrozen() && k.startsWith("1."))) {
                out.put(k, p);
            }
        });
        if (out.isEmpty()) {
            throw new IllegalArgumentException(
                    "no trainable parameters: model.encoder.freeze and model.decoder.freeze are both true");
        }
        return out;
    }
}
