package dev.perceiver.train.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A task's defaults of the {@code trainer} options that differ between tasks; the others have Lightning's defaults
 * ({@code max_time} null, {@code limit_val_batches} -1, {@code accumulate_grad_batches} 1,
 * {@code default_root_dir} runs).
 *
 * @param maxSteps {@code max_steps}, -1 for no limit
 * @param maxEpochs {@code max_epochs}, -1 for no limit
 * @param valCheckInterval {@code val_check_interval}: steps (> 1) or a fraction of an epoch (<= 1)
 * @param gradientClipVal {@code gradient_clip_val}, 0 for none
 * @param logEveryNSteps {@code log_every_n_steps}
 */
public record TrainerDefaults(
        long maxSteps, long maxEpochs, double valCheckInterval, double gradientClipVal, long logEveryNSteps) {
    /** The full {@code trainer} section with these defaults. */
    public ObjectNode toOptions() {
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        t.put("max_steps", maxSteps);
        t.put("max_epochs", maxEpochs);
        t.putNull("max_time");
        t.put("val_check_interval", valCheckInterval);
        t.put("limit_val_batches", -1L);
        t.put("accumulate_grad_batches", 1L);
        t.put("gradient_clip_val", gradientClipVal);
        t.put("log_every_n_steps", logEveryNSteps);
        t.put("default_root_dir", "runs");
        t.put("strategy", "single");
        t.put("num_workers", 1L);
        return t;
    }
}
