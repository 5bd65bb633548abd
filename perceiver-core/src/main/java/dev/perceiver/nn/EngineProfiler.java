package dev.perceiver.nn;

import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;

/**
 * libtorch's profiler around a piece of work, in try-with-resources: {@link #start} turns it on (for the whole
 * process), {@link #close} turns it off and writes a chrome trace (complete events with {@code name}, {@code ts},
 * {@code dur} in microseconds and the input shapes).
 */
public final class EngineProfiler implements AutoCloseable {
    private final Path trace;

    private EngineProfiler(Path trace) {
        this.trace = trace;
    }

    /**
     * Starts profiling, with the input shapes of every operation.
     *
     * @param trace where {@link #close} writes the trace
     * @param cuda whether to record CUDA kernels too
     */
    public static EngineProfiler start(Path trace, boolean cuda) {
        JniUtils.startProfile(cuda, true, false);
        return new EngineProfiler(trace);
    }

    /** Stops profiling and writes the trace. */
    @Override
    public void close() {
        JniUtils.stopProfile(trace.toAbsolutePath().toString());
    }
}
