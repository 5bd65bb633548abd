package dev.perceiver.train.task;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.AtomicFiles;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import dev.perceiver.train.Checkpoints;
import dev.perceiver.train.MetricsLog;
import dev.perceiver.train.Trainer;
import dev.perceiver.train.TrainerConfig;
import dev.perceiver.train.TrainerState;
import dev.perceiver.train.TrainingTask;
import dev.perceiver.train.optim.AdamW;
import dev.perceiver.train.optim.AdamWConfig;
import dev.perceiver.train.optim.LrSchedule;
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
 * One {@code perceiver train} run: builds data, model, optimizer and schedule from the resolved options, creates
 * (or resumes) the run folder ({@code config.json} with the task and all options, {@code metrics.csv},
 * {@code curves.png}, {@code checkpoints/best|last}) and trains.
 */
public final class TrainingRun {
    /** File of the run folder with the task name and the resolved options. */
    public static final String RUN_CONFIG = "config.json";

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

    private TrainingRun() {}

    /** Starts a new run with the resolved options {@code values}. */
    public static Outcome start(TaskKind kind, ObjectNode values, PrintStream log) throws IOException {
        Path root = Path.of(values.path("trainer").path("default_root_dir").asText("runs"));
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path runDir = root.resolve(kind.id() + "-" + stamp);
        for (int i = 2; Files.exists(runDir); i++) {
            runDir = root.resolve(kind.id() + "-" + stamp + "-" + i);
        }
        Files.createDirectories(runDir);
        ObjectNode saved = ConfigJson.MAPPER.createObjectNode();
        saved.put("task", kind.id());
        saved.set("options", values);
        AtomicFiles.writeString(runDir.resolve(RUN_CONFIG), ConfigJson.toString(saved) + "\n");
        return run(kind, values, runDir, false, log);
    }

    /** Reads the task and options saved in a run folder. */
    public static Map.Entry<TaskKind, ObjectNode> readRunConfig(Path runDir) throws IOException {
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
        return Map.entry(TaskKind.of(o.get("task").asText()), (ObjectNode) o.get("options"));
    }

    /** Continues a run from its {@code checkpoints/last} with (possibly overridden) options. */
    public static Outcome resume(TaskKind kind, ObjectNode values, Path runDir, PrintStream log) throws IOException {
        ObjectNode saved = ConfigJson.MAPPER.createObjectNode();
        saved.put("task", kind.id());
        saved.set("options", values);
        AtomicFiles.writeString(runDir.resolve(RUN_CONFIG), ConfigJson.toString(saved) + "\n");
        return run(kind, values, runDir, true, log);
    }

    private static Outcome run(TaskKind kind, ObjectNode values, Path runDir, boolean resume, PrintStream log)
            throws IOException {
        long seed = values.path("seed_everything").asLong();
        TrainerConfig trainerConfig = trainerConfig(values.path("trainer"), seed);
        LoadedData data = TaskData.load(kind, values.path("data"), seed);
        try (data;
                NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) (seed & 0x7fffffff));
            Module model =
                    kind.modelKind().createFromJson(manager, kind.modelConfig(values.path("model"), data.modelLinks()));
            TrainingTask task = kind.task(model, data);
            AdamWConfig optConfig = optimizerConfig(values.path("optimizer"));
            AdamW optimizer = new AdamW(trainable(model, values.path("model")), optConfig);
            long total = trainerConfig.totalSteps(data.module().numTrainBatches());
            LrSchedule schedule = schedule(kind, values.path("lr_scheduler"), total);
            TrainerState state;
            MetricsLog metrics;
            if (resume) {
                Path ckpt =
                        Checkpoints.locate(runDir.resolve(Trainer.CHECKPOINTS).resolve("last"));
                state = Checkpoints.readState(ckpt);
                if (state.seed != seed) {
                    throw new IllegalArgumentException("seed_everything (" + seed + ") differs from the run's seed ("
                            + state.seed + "); a resumed run keeps its seed");
                }
                Checkpoints.restore(ckpt, task, optimizer);
                metrics = MetricsLog.resume(runDir.resolve("metrics.csv"), state.globalStep);
                log.println("resuming " + runDir + " at step " + state.globalStep + " (epoch " + state.epoch
                        + ", batch " + state.batch + ")");
            } else {
                state = new TrainerState();
                state.seed = seed;
                metrics = MetricsLog.create(runDir.resolve("metrics.csv"));
            }
            log.println("task " + kind.id() + ": " + String.format(Locale.ROOT, "%,d", model.numParameters())
                    + " parameters; data " + data.module().describe() + "; "
                    + (total == Long.MAX_VALUE ? "?" : Long.toString(total)) + " steps; run folder " + runDir);
            Trainer trainer = new Trainer(
                    task,
                    data.module(),
                    optimizer,
                    schedule,
                    optConfig.lr(),
                    trainerConfig,
                    runDir,
                    kind.id(),
                    manager);
            Trainer.Result result = trainer.fit(state, metrics);
            return new Outcome(result, data.unigramEntropy(), model.numParameters());
        }
    }

    /** Trainable parameters, without those of a frozen encoder ({@code 0.*}) or decoder ({@code 1.*}). */
    static Map<String, Parameter> trainable(Module model, JsonNode modelOptions) {
        boolean encFrozen = modelOptions.path("encoder").path("freeze").asBoolean(false);
        boolean decFrozen = modelOptions.path("decoder").path("freeze").asBoolean(false);
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, p) -> {
            if (!p.isBuffer() && !(encFrozen && k.startsWith("0.")) && !(decFrozen && k.startsWith("1."))) {
                out.put(k, p);
            }
        });
        if (out.isEmpty()) {
            throw new IllegalArgumentException(
                    "no trainable parameters: model.encoder.freeze and " + "model.decoder.freeze are both true");
        }
        return out;
    }

    /** AdamW (or Adam) settings from the {@code optimizer} options. */
    public static AdamWConfig optimizerConfig(JsonNode o) {
        String name = o.path("name").asText("AdamW");
        boolean decoupled;
        if (name.equals("AdamW")) {
            decoupled = true;
        } else if (name.equals("Adam")) {
            decoupled = false;
        } else {
            throw new IllegalArgumentException("optimizer '" + name + "' is not supported; valid: AdamW, Adam");
        }
        JsonNode betas = o.path("betas");
        return new AdamWConfig(
                o.path("lr").asDouble(),
                betas.get(0).asDouble(),
                betas.get(1).asDouble(),
                o.path("eps").asDouble(),
                o.path("weight_decay").asDouble(),
                decoupled);
    }

    /** The task's schedule: cosine with warmup (training_steps = the run's steps) or constant with warmup. */
    public static LrSchedule schedule(TaskKind kind, JsonNode s, long totalSteps) {
        long warmup = s.path("warmup_steps").asLong();
        if (kind.cosineSchedule()) {
            return LrSchedule.cosineWithWarmup(
                    totalSteps == Long.MAX_VALUE ? 0 : totalSteps,
                    warmup,
                    s.path("num_cycles").asDouble(0.5),
                    s.path("min_fraction").asDouble(0.0));
        }
        return LrSchedule.constantWithWarmup(warmup);
    }

    /** Trainer settings from the {@code trainer} options. */
    public static TrainerConfig trainerConfig(JsonNode t, long seed) {
        JsonNode vci = t.path("val_check_interval");
        int steps = 0;
        double fraction = 1.0;
        if (vci.isIntegralNumber() || vci.asDouble() > 1) {
            if (vci.asDouble() != Math.rint(vci.asDouble()) || vci.asDouble() < 1) {
                throw new IllegalArgumentException("trainer.val_check_interval (" + vci + ") must be a whole number "
                        + "of steps >= 1 or a fraction of an epoch in (0.0, 1.0]");
            }
            steps = (int) vci.asDouble();
        } else {
            fraction = vci.asDouble();
        }
        return new TrainerConfig(
                t.path("max_steps").asLong(),
                t.path("max_epochs").asInt(),
                steps,
                fraction,
                t.path("limit_val_batches").asInt(),
                t.path("accumulate_grad_batches").asInt(),
                t.path("gradient_clip_val").asDouble(),
                t.path("log_every_n_steps").asInt(),
                seed,
                TrainerConfig.parseMaxTime(
                        t.path("max_time").isNull() ? null : t.path("max_time").asText()));
    }
}
