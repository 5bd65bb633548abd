package dev.perceiver.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Temporarily changes libtorch's intra-op thread count (process-wide). Single-token decoding steps consist of
 * hundreds of tiny operations, for which waking a second OpenMP thread per operation costs more than it saves.
 * Use in try-with-resources; on engines other than PyTorch it does nothing.
 */
public final class IntraOpThreads implements AutoCloseable {
    private final int previous;

    private IntraOpThreads(int threads) {
        previous = isPyTorch() ? JniUtils.getNumThreads() : -1;
        if (previous > 0 && previous != threads) {
            JniUtils.setNumThreads(threads);
        }
    }

    /** Sets the intra-op thread count to {@code threads} until {@link #close()}. */
    public static IntraOpThreads use(int threads) {
        return new IntraOpThreads(threads);
    }

    private static boolean isPyTorch() {
        return "PyTorch".equals(Engine.getInstance().getEngineName());
    }

    /** Restores the previous thread count. */
    @Override
    public void close() {
        if (previous > 0 && JniUtils.getNumThreads() != previous) {
            JniUtils.setNumThreads(previous);
        }
    }
}
