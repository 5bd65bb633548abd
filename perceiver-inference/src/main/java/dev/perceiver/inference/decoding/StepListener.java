package dev.perceiver.inference.decoding;

/** Called after every generation step, e.g. to stream tokens or to watch resources. */
@FunctionalInterface
public interface StepListener {
    /**
     * @param step index of the step, from 0
     * @param tokens the token chosen for each row (pad for rows finished before this step)
     * @param finished per row, whether it has finished (produced EOS in this or an earlier step)
     */
    void onStep(int step, long[] tokens, boolean[] finished);
}
