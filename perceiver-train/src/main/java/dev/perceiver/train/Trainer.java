package dev.perceiver.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.perceiver.train.optim.AdamW;
import dev.perceiver.train.optim.GradientClipping;
import dev.perceiver.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The training loop: micro-batches with gradient accumulation, gradient clipping, AdamW with a learning-rate
 * schedule stepped per optimizer step, dropout only while training, validation every N steps or epoch fraction,
 * checkpoints ({@code checkpoints/last} after every validation, {@code checkpoints/best} on a new lowest validation
 * loss), {@code metrics.csv}, a PNG of the curves at the end and progress on stderr.
 *
 * <p>Every micro-step runs in its own {@link NDScope} and sub-manager, so no array outlives it; the optimizer moments
 * live in the model's manager. Dropout masks and data order are functions of (seed, epoch, batch), so a run resumed
 * from a checkpoint computes the same losses as an uninterrupted one.
 */
public final class Trainer {
    /** Sub-folder of the run with the checkpoints. */
    public static final String CHECKPOINTS = "checkpoints";

    /**
     * Outcome of {@link #fit}.
     *
     * @param valLoss last validation loss
     * @param valAccuracy last validation accuracy (NaN without accuracy)
     * @param steps optimizer steps taken in total
     * @param trainSeconds seconds spent in training steps in this process
     * @param samplesPerSecond training examples per second in this process
     */
    public record Result(
            Path runDir,
            double valLoss,
            double valAccuracy,
            long steps,
            double trainSeconds,
            double samplesPerSecond) {}

    private final TrainingTask task;
    private final DataModule data;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final double baseLr;
    private final TrainerConfig config;
    private final Path runDir;
    private final String title;
    private final NDManager base;

    /**
     * @param baseLr learning rate the schedule's factor multiplies
     * @param base manager the per-step sub-managers are created from
     */
    public Trainer(
            TrainingTask task,
            DataModule data,
            AdamW optimizer,
            LrSchedule schedule,
            double baseLr,
            TrainerConfig config,
            Path runDir,
            String title,
            NDManager base) {
        this.task = task;
        this.data = data;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.baseLr = baseLr;
        this.config = config;
        this.runDir = runDir;
        this.title = title;
        this.base = base;
    }

    /** Trains from {@code state} (fresh or restored) until max_steps / max_epochs. */
    public Result fit(TrainerState state, MetricsLog log) throws IOException {
        int nb = data.numTrainBatches();
        long total = config.totalSteps(nb);
        Progress progress = Progress.stderr(total, state.globalStep);
        optimizer.attachGradients();
        task.model().setTraining(true);
        long trainNanos = 0;
        long examples = 0;
        double lossSum = 0;
        long lossCount = 0;
        long correctSum = 0;
        long accCount = 0;
        double windowSamples = 0;
        long windowNanos = 0;
        Validation lastVal = null;
        long lastValStep = -1;
        long startNanos = System.nanoTime();
        double elapsedBefore = state.elapsedSeconds;
        int accum = config.accumulateGradBatches();
        boolean timeUp = false;
        while (!done(state, total) && !timeUp) {
            if (state.batch >= nb) {
                state.epoch++;
                state.batch = 0;
                continue;
            }
            long t0 = System.nanoTime();
            int group = Math.min(accum, nb - state.batch);
            double stepLoss = 0;
            int stepExamples = 0;
            for (int j = 0; j < group; j++) {
                int index = state.batch + j;
                seed(state.seed, state.epoch, index);
                try (NDScope scope = new NDScope();
                        NDManager m = base.newSubManager()) {
                    scope.suppressNotUsedWarning();
                    Batch b = data.trainBatch(m, state.epoch, index);
                    TrainingTask.StepOutput out = forwardBackward(task, b, accum);
                    float loss = out.loss().getFloat();
                    if (!Float.isFinite(loss)) {
                        throw new IllegalStateException("training loss is " + loss + " at step " + state.globalStep
                                + " (epoch " + state.epoch + ", batch " + index + "); lower optimizer.lr or set "
                                + "trainer.gradient_clip_val");
                    }
                    stepLoss += loss / group;
                    stepExamples += b.size();
                    if (task.hasAccuracy()) {
                        correctSum += out.correct();
                        accCount += out.count();
                    }
                }
            }
            double lr = baseLr * schedule.factor(state.globalStep);
            update(optimizer, config.gradientClipVal(), lr);
            state.globalStep++;
            int before = state.batch;
            state.batch += group;
            long dt = System.nanoTime() - t0;
            trainNanos += dt;
            windowNanos += dt;
            examples += stepExamples;
            windowSamples += stepExamples;
            lossSum += stepLoss;
            lossCount++;

            if (config.maxTimeSeconds() > 0
                    && !timeUp
                    && elapsedBefore + (System.nanoTime() - startNanos) / 1e9 >= config.maxTimeSeconds()) {
                timeUp = true;
                progress.message("trainer.max_time reached at step " + state.globalStep);
            }
            boolean validate = validationDue(state.globalStep, before, state.batch, nb) || done(state, total) || timeUp;
            if (state.globalStep % config.logEveryNSteps() == 0 || validate) {
                double elapsed = elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
                double trainLoss = lossSum / lossCount;
                double trainAcc = task.hasAccuracy() && accCount > 0 ? (double) correctSum / accCount : Double.NaN;
                log.append(new MetricsLog.Row(
                        state.globalStep, state.epoch, trainLoss, trainAcc, Double.NaN, Double.NaN, lr, elapsed));
                progress.update(state.globalStep, state.epoch, trainLoss, windowSamples / (windowNanos / 1e9));
                lossSum = 0;
                lossCount = 0;
                correctSum = 0;
                accCount = 0;
                windowSamples = 0;
                windowNanos = 0;
            }
            if (validate) {
                lastVal = validateAndCheckpoint(state, log, progress, lr, elapsedBefore, startNanos);
                lastValStep = state.globalStep;
            }
        }
        if (lastValStep != state.globalStep) {
            lastVal = validateAndCheckpoint(
                    state,
                    log,
                    progress,
                    baseLr * schedule.factor(Math.max(0, state.globalStep - 1)),
                    elapsedBefore,
                    startNanos);
        }
        progress.finish();
        TrainingPlot.write(log.rows(), title, runDir.resolve("curves.png"));
        double seconds = trainNanos / 1e9;
        return new Result(
                runDir,
                lastVal.loss(),
                lastVal.accuracy(),
                state.globalStep,
                seconds,
                seconds > 0 ? examples / seconds : 0);
    }

    /**
     * The forward and backward half of a training step: the task's loss of one (micro-)batch and its gradients, which
     * accumulate in the parameters (the loss is divided by {@code accumulate} before the backward pass). Call inside
     * an {@link NDScope}: the returned loss belongs to it.
     *
     * @param accumulate micro-batches per optimizer step, >= 1
     */
    public static TrainingTask.StepOutput forwardBackward(TrainingTask task, Batch batch, int accumulate) {
        TrainingTask.StepOutput out;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = task.step(batch);
            gc.backward(accumulate == 1 ? out.loss() : dev.perceiver.nn.Ops.div(out.loss(), accumulate));
        }
        return out;
    }

    /**
     * The update half of a training step: gradient clipping by global norm (when {@code gradientClipVal > 0}), one
     * optimizer step with learning rate {@code lr}, gradients reset to zero.
     */
    public static void update(AdamW optimizer, double gradientClipVal, double lr) {
        if (gradientClipVal > 0) {
            GradientClipping.clipByGlobalNorm(optimizer.parameters(), gradientClipVal);
        }
        optimizer.step(lr);
        optimizer.zeroGrad();
    }

    private Validation validateAndCheckpoint(
            TrainerState state, MetricsLog log, Progress progress, double lr, double elapsedBefore, long startNanos)
            throws IOException {
        Validation v = Validation.run(task, data, config.limitValBatches(), base);
        task.model().setTraining(true);
        double elapsed = elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
        state.elapsedSeconds = elapsed;
        log.append(new MetricsLog.Row(
                state.globalStep, state.epoch, Double.NaN, Double.NaN, v.loss(), v.accuracy(), lr, elapsed));
        boolean best = Double.isNaN(state.bestValLoss) || v.loss() < state.bestValLoss;
        if (best) {
            state.bestValLoss = v.loss();
            state.bestStep = state.globalStep;
        }
        Path ckpt = runDir.resolve(CHECKPOINTS);
        Checkpoints.save(ckpt.resolve("last"), task, optimizer, state);
        if (best) {
            Checkpoints.save(ckpt.resolve("best"), task, optimizer, state);
        }
        progress.message(String.format(
                Locale.ROOT,
                "validation at step %d: val_loss=%.4f%s%s",
                state.globalStep,
                v.loss(),
                Double.isNaN(v.accuracy()) ? "" : String.format(Locale.ROOT, " val_acc=%.4f", v.accuracy()),
                best ? " (best)" : ""));
        return v;
    }

    private boolean done(TrainerState state, long total) {
        if (state.globalStep >= total) {
            return true;
        }
        return config.maxEpochs() != -1 && state.epoch >= config.maxEpochs();
    }

    private boolean validationDue(long step, int batchBefore, int batchAfter, int nb) {
        if (config.valCheckSteps() > 0) {
            return step % config.valCheckSteps() == 0;
        }
        long every = Math.max(1, Math.round(config.valCheckFraction() * nb));
        if (batchAfter >= nb) {
            return true;
        }
        return batchAfter / every > batchBefore / every;
    }

    /** Seeds torch's RNG (dropout) and the task's own RNGs for the micro-step (epoch, batch). */
    private void seed(long seed, int epoch, int batch) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + batch * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        Engine.getInstance().setRandomSeed((int) (h & 0x7fffffff));
        task.seedStep(h);
    }
}
