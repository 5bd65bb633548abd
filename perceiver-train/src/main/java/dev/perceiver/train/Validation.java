package dev.perceiver.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.perceiver.nn.NoGrad;

/**
 * Evaluation of a task on validation batches in eval mode (dropout off, no gradients): loss averaged over examples
 * (each batch's mean loss weighted by its size) and accuracy.
 *
 * @param loss mean loss
 * @param accuracy fraction of correct examples, or NaN for tasks without accuracy
 * @param examples examples evaluated
 */
public record Validation(double loss, double accuracy, long examples) {
    /** Runs the first {@code limit} validation batches (all when -1). The training mode is restored afterwards. */
    public static Validation run(TrainingTask task, DataModule data, int limit, NDManager base) {
        boolean wasTraining = task.model().isTraining();
        task.model().setTraining(false);
        try (NoGrad g = NoGrad.open()) {
            int n = limit < 0 ? data.numValidBatches() : Math.min(limit, data.numValidBatches());
            double lossSum = 0;
            long correct = 0;
            long count = 0;
            for (int i = 0; i < n; i++) {
                try (NDScope scope = new NDScope();
                        NDManager m = base.newSubManager()) {
                    scope.suppressNotUsedWarning();
                    Batch b = data.validBatch(m, i);
                    TrainingTask.StepOutput out = task.step(b);
                    lossSum += out.loss().getFloat() * b.size();
                    correct += out.correct();
                    count += b.size();
                }
            }
            if (count == 0) {
                throw new IllegalArgumentException("validation data is empty");
            }
            return new Validation(lossSum / count, task.hasAccuracy() ? (double) correct / count : Double.NaN, count);
        } finally {
            task.model().setTraining(wasTraining);
        }
    }
}
