package dev.perceiver.train;

import java.io.IOException;

/**
 * The link between the replicas of a data-parallel run, as the {@link Trainer} uses it: each of {@link #workers()}
 * workers trains a replica on its shard of every global batch, and the gradients are summed across the workers every
 * step. Worker 0 writes metrics and checkpoints. Implementations (e.g. a ring allreduce over sockets) live outside
 * this module; this module knows only this interface.
 */
public interface DataParallel {
    /** This worker's index, in [0, workers). */
    int rank();

    /** Number of workers, >= 1. */
    int workers();

    /**
     * Sums {@code values} element-wise over all workers, in place: afterwards every worker holds the same sums.
     * Every worker calls it with an array of the same length at the same point of the run.
     *
     * @throws IOException when a worker cannot be reached (the run fails)
     */
    void allReduceSum(float[] values) throws IOException;
}
