package dev.perceiver.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import dev.perceiver.nn.GradientRecording;
import dev.perceiver.nn.NoGrad;
import dev.perceiver.nn.Parameter;
import dev.perceiver.nn.Tensors;
import dev.perceiver.train.optim.AdamW;
import dev.perceiver.train.optim.GradientClipping;
import dev.perceiver.train.optim.LrSchedule;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
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
 *
 * <p>Data-parallel ({@link DataParallel}): every worker builds the same global batch, trains on its contiguous shard
 * of rows and scales its loss by its share of the batch's targets, so that the gradients summed over the workers are
 * those of the whole batch; the summed gradients (and step loss and accuracy counts) are exchanged once per optimizer
 * step, before clipping and the update. Worker 0's initial parameters are copied to all workers. Only worker 0
 * validates and writes metrics, checkpoints and progress.
 */
public final class Trainer {
    /** Sub-folder of the run with the checkpoints. */
    public static final String CHECKPOINTS = "checkpoints";

    /**
     * Held for every forward and backward pass of training and every use of libtorch's seeded generator: DJL allows
     * one gradient collector per process, and dropout draws from libtorch's one process-wide generator, which each
     * training micro-step seeds from (seed, epoch, batch). Several trainers in one JVM therefore take turns step by
     * step and each computes exactly what it would alone.
     */
    private static final Object ENGINE_LOCK = new Object();

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
    private final DataParallel parallel;

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
        this(task, data, optimizer, schedule, baseLr, config, runDir, title, base, null);
    }

    /**
     * A trainer that is one worker of a data-parallel run.
     *
     * @param parallel the link to the other workers, or null for a single-process run
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
            NDManager base,
            DataParallel parallel) {
        this.parallel = parallel;
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

    /** Trains from {@code state} (fresh or restored) until max_steps / max_epochs (or max_time). */
    public Result fit(TrainerState state, MetricsLog log) throws IOException {
        return new Fit(state, log).run();
    }

    /**
     * The forward and backward half of a training step: the task's loss of one (micro-)batch and its gradients, which
     * accumulate in the parameters (the loss is divided by {@code accumulate} before the backward pass). Call inside
     * an {@link NDScope}: the returned loss belongs to it.
     *
     * @param accumulate micro-batches per optimizer step, >= 1
     */
    public static TrainingTask.StepOutput forwardBackward(TrainingTask task, Batch batch, int accumulate) {
        return forwardBackward(task, batch, accumulate, 1.0);
    }

    /**
     * As {@link #forwardBackward(TrainingTask, Batch, int)} with the loss also multiplied by {@code weight} before the
     * backward pass (a data-parallel worker's share of the global batch). Steps of all trainers of this JVM take turns
     * (libtorch's autograd and its generator are process-wide).
     */
    static TrainingTask.StepOutput forwardBackward(TrainingTask task, Batch batch, int accumulate, double weight) {
        synchronized (ENGINE_LOCK) {
            TrainingTask.StepOutput out;
            try (GradientRecording gc = GradientRecording.start()) {
                out = task.step(batch);
                NDArray loss = out.loss();
                if (weight != 1.0) {
                    loss = dev.perceiver.nn.Ops.mul(loss, (float) weight);
                }
                gc.backward(accumulate == 1 ? loss : dev.perceiver.nn.Ops.div(loss, accumulate));
            }
            return out;
        }
    }

    /**
     * {@code work} run with libtorch's process-wide generator seeded with {@code seed}, while no other training step
     * or seeded work of this JVM runs (parameter initialisation of a run, say), so its random numbers depend on the
     * seed alone.
     */
    public static <T> T withEngineSeed(long seed, java.util.function.Supplier<T> work) {
        synchronized (ENGINE_LOCK) {
            Engine.getInstance().setRandomSeed((int) (seed & 0x7fffffff));
            return work.get();
        }
    }

    /**
     * The update half of a training step: gradient clipping by global norm (when {@code gradientClipVal > 0}), one
     * optimizer step with learning rate {@code lr}, gradients reset to zero.
     */
    public static void update(AdamW optimizer, double gradientClipVal, double lr) {
        try (NoGrad g = NoGrad.open()) {
            if (gradientClipVal > 0) {
                GradientClipping.clipByGlobalNorm(optimizer.parameters(), gradientClipVal);
            }
            optimizer.step(lr);
            optimizer.zeroGrad();
        }
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

    /** The seed of micro-step (epoch, batch): of libtorch's generator (dropout) and the task's own RNGs. */
    private static long stepSeed(long seed, int epoch, int batch) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + batch * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return h;
    }

    /**
     * Loss and size of one training micro-batch.
     *
     * @param loss the batch's mean loss (a data-parallel worker: its shard's loss times its weight)
     * @param examples examples of the (global) batch
     * @param correct correctly classified examples (of the shard)
     * @param count examples counted for accuracy (of the shard)
     */
    private record MicroStep(float loss, int examples, long correct, long count) {}

    /** Whether this trainer writes metrics, checkpoints and progress (single process, or worker 0). */
    private boolean writer() {
        return parallel == null || parallel.rank() == 0;
    }

    /**
     * A worker's contiguous shard of a global batch and the weight of its loss: its targets (labels other than -100)
     * over the batch's.
     */
    private record Shard(Batch batch, double weight) {}

    private Shard shard(Batch full) {
        int n = parallel.workers();
        if (full.size() < n) {
            throw new IllegalArgumentException("a global batch of " + full.size() + " examples cannot be split between "
                    + "trainer.num_workers (" + n + ") workers; use data.batch_size >= num_workers");
        }
        int lo = (int) ((long) full.size() * parallel.rank() / n);
        int hi = (int) ((long) full.size() * (parallel.rank() + 1) / n);
        NDIndex rows = new NDIndex(lo + ":" + hi);
        Batch b = new Batch(
                full.x().get(rows),
                full.y().get(rows),
                full.padMask() == null ? null : full.padMask().get(rows),
                hi - lo);
        long all = full.y().neq(-100).sum().getLong();
        long mine = b.y().neq(-100).sum().getLong();
        return new Shard(b, all == 0 ? 1.0 / n : (double) mine / all);
    }

    /**
     * Sums the gradients and {@code extras} over the workers (one exchange); then every worker holds the gradients of
     * the whole global batch.
     */
    private void sumOverWorkers(float[] extras) {
        List<Parameter> params = optimizer.parameters();
        long total = extras.length;
        for (Parameter p : params) {
            total += p.array().hasGradient() ? p.shape().size() : 0;
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalStateException("gradients of " + total + " values are too large for one exchange");
        }
        float[] all = new float[(int) total];
        int at = 0;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Parameter p : params) {
                if (p.array().hasGradient()) {
                    float[] g = p.array().getGradient().toFloatArray();
                    System.arraycopy(g, 0, all, at, g.length);
                    at += g.length;
                }
            }
            System.arraycopy(extras, 0, all, at, extras.length);
            try {
                parallel.allReduceSum(all);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("gradient exchange failed: " + e.getMessage(), e);
            }
            at = 0;
            try (NDManager m = base.newSubManager()) {
                for (Parameter p : params) {
                    if (p.array().hasGradient()) {
                        NDArray g = p.array().getGradient();
                        int size = (int) p.shape().size();
                        float[] sum = java.util.Arrays.copyOfRange(all, at, at + size);
                        g.set(new NDIndex("..."), Tensors.owned(m, sum, p.shape()));
                        at += size;
                    }
                }
            }
        }
        System.arraycopy(all, at, extras, 0, extras.length);
    }

    /** Copies worker 0's parameters to every worker (the others contribute zeros to a sum). */
    private void copyParametersFromWorkerZero() {
        List<Parameter> params = optimizer.parameters();
        long total = 0;
        for (Parameter p : params) {
            total += p.shape().size();
        }
        float[] all = new float[Math.toIntExact(total)];
        int at = 0;
        if (parallel.rank() == 0) {
            for (Parameter p : params) {
                float[] v = p.array().toFloatArray();
                System.arraycopy(v, 0, all, at, v.length);
                at += v.length;
            }
        }
        try {
            parallel.allReduceSum(all);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("parameter exchange failed: " + e.getMessage(), e);
        }
        at = 0;
        try (NDManager m = base.newSubManager()) {
            for (Parameter p : params) {
                int size = (int) p.shape().size();
                p.load(Tensors.owned(m, java.util.Arrays.copyOfRange(all, at, at + size), p.shape()));
                at += size;
            }
        }
    }

    /**
     * One call of {@link #fit}: the loop over optimizer steps, its clock and totals, and the sums of the training
     * metrics since the last metrics row.
     */
    private final class Fit {
        private final TrainerState state;
        private final MetricsLog log;
        private final int numBatches;
        private final long total;
        private final Progress progress;
        private final double elapsedBefore;
        private long startNanos;
        private long trainNanos;
        private long examples;
        private double lossSum;
        private long lossCount;
        private long correctSum;
        private long accCount;
        private double windowSamples;
        private long windowNanos;

        Fit(TrainerState state, MetricsLog log) {
            this.state = state;
            this.log = log;
            this.numBatches = data.numTrainBatches();
            this.total = config.totalSteps(numBatches);
            this.progress = writer()
                    ? Progress.stderr(total, state.globalStep)
                    : new Progress(new PrintStream(OutputStream.nullOutputStream()), false, total, state.globalStep);
            this.elapsedBefore = state.elapsedSeconds;
        }

        Result run() throws IOException {
            dev.perceiver.nn.EngineSetup.configureThread();
            GradientRecording.off(); // recording only inside forwardBackward, whatever thread this is
            if (parallel != null) {
                copyParametersFromWorkerZero();
            }
            optimizer.attachGradients();
            task.model().setTraining(true);
            startNanos = System.nanoTime();
            Validation lastVal = validationAt(state.globalStep);
            long lastValStep = lastVal != null ? state.globalStep : -1;
            boolean timeUp = false;
            while (!done() && !timeUp) {
                if (state.batch >= numBatches) {
                    state.epoch++;
                    state.batch = 0;
                    continue;
                }
                int before = state.batch;
                double lr = optimizerStep();
                timeUp = timeUp();
                boolean validate = validationDue(state.globalStep, before, state.batch, numBatches) || done() || timeUp;
                if (state.globalStep % config.logEveryNSteps() == 0 || validate) {
                    logTraining(lr);
                }
                if (validate) {
                    lastVal = validateAndCheckpoint(lr);
                    lastValStep = state.globalStep;
                }
            }
            if (lastValStep != state.globalStep) {
                lastVal = validateAndCheckpoint(baseLr * schedule.factor(Math.max(0, state.globalStep - 1)));
            }
            progress.finish();
            if (writer()) {
                TrainingPlot.write(log.rows(), title, runDir.resolve("curves.png"));
            }
            double seconds = trainNanos / 1e9;
            return new Result(
                    runDir,
                    lastVal == null ? Double.NaN : lastVal.loss(),
                    lastVal == null ? Double.NaN : lastVal.accuracy(),
                    state.globalStep,
                    seconds,
                    seconds > 0 ? examples / seconds : 0);
        }

        /**
         * The validation row of {@code step} in the metrics (a resumed run's checkpoint step has one), or null: a
         * run resumed at its end is not validated again.
         */
        private Validation validationAt(long step) {
            if (step == 0) {
                return null;
            }
            for (MetricsLog.Row r : log.rows()) {
                if (r.step() == step && !Double.isNaN(r.valLoss())) {
                    return new Validation(r.valLoss(), r.valAcc(), 0);
                }
            }
            return null;
        }

        /** The micro-batches of one optimizer step and the update; returns the learning rate of the update. */
        private double optimizerStep() {
            long t0 = System.nanoTime();
            int accum = config.accumulateGradBatches();
            int group = Math.min(accum, numBatches - state.batch);
            double stepLoss = 0;
            int stepExamples = 0;
            long stepCorrect = 0;
            long stepCount = 0;
            for (int j = 0; j < group; j++) {
                MicroStep micro = microStep(state.batch + j, accum);
                stepLoss += micro.loss() / group;
                stepExamples += micro.examples();
                stepCorrect += micro.correct();
                stepCount += micro.count();
            }
            if (parallel != null) {
                float[] extras = {(float) stepLoss, stepCorrect, stepCount};
                sumOverWorkers(extras);
                stepLoss = extras[0];
                stepCorrect = Math.round(extras[1]);
                stepCount = Math.round(extras[2]);
            }
            if (task.hasAccuracy()) {
                correctSum += stepCorrect;
                accCount += stepCount;
            }
            double lr = baseLr * schedule.factor(state.globalStep);
            update(optimizer, config.gradientClipVal(), lr);
            state.globalStep++;
            state.batch += group;
            long dt = System.nanoTime() - t0;
            trainNanos += dt;
            windowNanos += dt;
            examples += stepExamples;
            windowSamples += stepExamples;
            lossSum += stepLoss;
            lossCount++;
            return lr;
        }

        /** Forward and backward pass of training batch {@code index} of the current epoch. */
        private MicroStep microStep(int index, int accum) {
            long h = stepSeed(state.seed, state.epoch, index);
            task.seedStep(h);
            try (NDScope scope = new NDScope();
                    NDManager m = base.newSubManager()) {
                scope.suppressNotUsedWarning();
                Batch b = data.trainBatch(m, state.epoch, index);
                int examples = b.size();
                double weight = 1.0;
                if (parallel != null) {
                    Shard shard = shard(b);
                    b = shard.batch();
                    weight = shard.weight();
                }
                Batch shardBatch = b;
                double shardWeight = weight;
                TrainingTask.StepOutput out =
                        withEngineSeed(h, () -> forwardBackward(task, shardBatch, accum, shardWeight));
                float loss = out.loss().getFloat();
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException("training loss is " + loss + " at step " + state.globalStep
                            + " (epoch " + state.epoch + ", batch " + index + "); lower optimizer.lr or set "
                            + "trainer.gradient_clip_val");
                }
                return new MicroStep((float) (loss * weight), examples, out.correct(), out.count());
            }
        }

        /** Whether trainer.max_time has passed (then says so on the progress output). */
        private boolean timeUp() {
            if (config.maxTimeSeconds() > 0 && elapsedSeconds() >= config.maxTimeSeconds()) {
                progress.message("trainer.max_time reached at step " + state.globalStep);
                return true;
            }
            return false;
        }

        /** Seconds of the run, including those before a resume. */
        private double elapsedSeconds() {
            return elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
        }

        private boolean done() {
            if (state.globalStep >= total) {
                return true;
            }
            return config.maxEpochs() != -1 && state.epoch >= config.maxEpochs();
        }

        /** Writes a training row (mean loss and accuracy since the last row) and reports progress. */
        private void logTraining(double lr) throws IOException {
            if (!writer()) {
                return;
            }
            double elapsed = elapsedSeconds();
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

        /** Validates, writes a validation row and checkpoints {@code last} (and {@code best} on a new best loss). */
        private Validation validateAndCheckpoint(double lr) throws IOException {
            if (!writer()) {
                return null;
            }
            Validation v = Validation.run(task, data, config.limitValBatches(), base);
            task.model().setTraining(true);
            double elapsed = elapsedSeconds();
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
    }
}
