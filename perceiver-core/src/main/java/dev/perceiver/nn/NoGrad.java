package dev.perceiver.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A scope in which the calling thread records no autograd graph (libtorch's grad mode, which is per thread), restored
 * on close. libtorch starts every thread with grad mode on, and DJL switches it off only on the thread that loaded
 * the engine and after a gradient collector closes, so work on any other thread (an optimizer's in-place update, an
 * evaluation) opens this scope: {@code try (NoGrad g = NoGrad.open()) { ... }}.
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;
    private final boolean pyTorch;

    private NoGrad(boolean pyTorch) {
        this.pyTorch = pyTorch;
        this.previous = pyTorch && JniUtils.isGradMode();
        if (pyTorch) {
            JniUtils.setGradMode(false);
        }
    }

    /** Switches grad mode off for the calling thread until {@link #close()}. */
    public static NoGrad open() {
        return new NoGrad("PyTorch".equals(Engine.getInstance().getEngineName()));
    }

    /** Restores the thread's grad mode. */
    @Override
    public void close() {
        if (pyTorch && previous) {
            JniUtils.setGradMode(true);
        }
    }
}
