package dev.perceiver.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording confined to the calling thread: the same as DJL's {@code GradientCollector} on the PyTorch
 * engine (grad mode on while open, {@code backward} with a gradient of ones, the previous grad mode restored on close)
 * without its one-collector-per-JVM rule. libtorch's grad mode is per thread, so several threads may record at once,
 * e.g. the data-parallel workers of one Spark executor JVM, each on its own replica.
 */
public final class GradientRecording implements AutoCloseable {
    private final boolean previous;

    private GradientRecording() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    /** Starts recording on this thread. */
    public static GradientRecording start() {
        return new GradientRecording();
    }

    /**
     * Turns gradient recording off on the calling thread. A thread starts with libtorch's default (on), under which
     * in-place updates of parameters fail and inference records graphs it never uses: call it at the start of work on
     * a thread the process did not set up (a Spark task thread, say).
     */
    public static void off() {
        Engine.getEngine("PyTorch"); // loads libtorch when nothing has yet
        JniUtils.setGradMode(false);
    }

    /** Accumulates d(loss)/d(parameter) into the gradients of the parameters; {@code loss} is a scalar. */
    public void backward(NDArray loss) {
        NDArray ones = loss.getManager().ones(loss.getShape(), loss.getDataType());
        JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
    }

    /** Restores this thread's previous grad mode. */
    @Override
    public void close() {
        if (!previous) {
            JniUtils.setGradMode(false);
        }
    }
}
