package dev.perceiver.inference.engine;

import ai.djl.ndarray.NDArray;
import dev.perceiver.inference.decoding.CachedDecoder;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationWindow;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.nn.Module;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Opens a {@link ModelRunner} for a model on the engine asked for. */
public final class ModelRunners {
    private ModelRunners() {}

    /**
     * @param model a task model in eval mode; it must stay open while the runner is used
     * @param engine LIBTORCH, ONNXRUNTIME (the model must be exportable, see {@link OnnxExport#supports}) or AUTO
     *     (ONNX Runtime when the model is exportable and ONNX Runtime loads on this machine, else libtorch)
     * @param threads intra-op threads of ONNX Runtime, in [1, 1024] (libtorch keeps the process setting)
     */
    public static ModelRunner open(Module model, Engine engine, int threads) {
        return open(model, engine, threads, false);
    }

    /**
     * As {@link #open(Module, Engine, int)}; with {@code releaseWeights}, when the runner is ONNX Runtime, the
     * model's libtorch weights are freed ({@link Module#releaseWeights}) once the model is exported and before ONNX
     * Runtime loads it, so that the weights are held once: for a caller that owns the model and needs only its
     * config afterwards (a pipeline made by {@code load}). Every use of the model's weights then fails with a message
     * saying so. On libtorch the flag does nothing.
     */
    public static ModelRunner open(Module model, Engine engine, int threads, boolean releaseWeights) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads (" + threads + ") must be in [1, 1024]");
        }
        if (model instanceof CausalSequenceModel) {
            throw new IllegalArgumentException("model class " + model.getClass().getSimpleName()
                    + " has no (x, pad_mask) forward pass: its forward pass takes prefix_len (see openCausal)");
        }
        boolean exportable = OnnxExport.supports(model);
        if (engine.forcesOnnxRuntime() && !exportable) {
            throw new IllegalArgumentException("--engine onnxruntime: " + OnnxExport.unsupportedReason(model));
        }
        if (engine.forcesOnnxRuntime() || (engine == Engine.AUTO && exportable && OnnxRuntimeRunner.available())) {
            try {
                return OnnxRuntimeRunner.open(model, threads, releaseWeights, engine == Engine.ONNXRUNTIME_INT8);
            } catch (IOException e) {
                throw new UncheckedIOException("exporting the model for ONNX Runtime failed: " + e.getMessage(), e);
            }
        }
        if (!(model instanceof PerceiverIO io)) {
            throw new IllegalArgumentException(
                    "model class " + model.getClass().getSimpleName() + " has no (x, pad_mask) forward pass");
        }
        return new ModelRunner() {
            @Override
            public NDArray forward(NDArray x, NDArray padMask) {
                return io.forward(x, padMask);
            }

            @Override
            public Engine engine() {
                return Engine.LIBTORCH;
            }

            @Override
            public void close() {}
        };
    }

    /**
     * @param model a Perceiver AR model in eval mode; it must stay open while the runner is used
     * @param engine LIBTORCH, ONNXRUNTIME or AUTO (ONNX Runtime when it loads on this machine, else libtorch)
     * @param threads intra-op threads of ONNX Runtime, in [1, 1024] (libtorch keeps the process setting)
     */
    public static CausalModelRunner openCausal(CausalSequenceModel model, Engine engine, int threads) {
        refuseInt8(engine);
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads (" + threads + ") must be in [1, 1024]");
        }
        if (engine == Engine.ONNXRUNTIME || (engine == Engine.AUTO && OnnxRuntimeRunner.available())) {
            try {
                return new OnnxRuntimeCausalRunner(model, OnnxRuntimeRunner.open(model, threads, false));
            } catch (IOException e) {
                throw new UncheckedIOException("exporting the model for ONNX Runtime failed: " + e.getMessage(), e);
            }
        }
        return new CausalModelRunner() {
            @Override
            public CausalSequenceModel.LmOutput forward(NDArray x, int prefixLen, NDArray padMask) {
                return model.forwardLogits(x, prefixLen, padMask, null);
            }

            @Override
            public Engine engine() {
                return Engine.LIBTORCH;
            }

            @Override
            public void close() {}
        };
    }

    /**
     * The engine for generations with {@code config}: float16 steps and generation without the cache exist on libtorch
     * only, so AUTO becomes LIBTORCH for them, and ONNXRUNTIME is refused with them.
     *
     * @param requested the engine asked for (the --engine option)
     * @throws IllegalArgumentException for ONNXRUNTIME with float16 steps or without the cache
     */
    public static Engine decoderEngine(Engine requested, GenerationConfig config) {
        refuseInt8(requested);
        boolean libtorchOnly = config.float16Steps() || !config.useCache();
        if (requested == Engine.ONNXRUNTIME && libtorchOnly) {
            throw new IllegalArgumentException("--engine onnxruntime: "
                    + (config.float16Steps()
                            ? "--fp16 (float16 decoding steps)"
                            : "--no-cache (recomputing the window)")
                    + " runs on libtorch only; use --engine libtorch or auto");
        }
        return libtorchOnly ? Engine.LIBTORCH : requested;
    }

    /**
     * Cached decoding for generation.
     *
     * @param model a Perceiver AR model in eval mode; it must stay open while the runner is used
     * @param engine LIBTORCH, ONNXRUNTIME or AUTO (ONNX Runtime when it loads on this machine, else libtorch; see the
     *     README's "Decoding speed" for the measurement behind it)
     * @param threads intra-op threads of ONNX Runtime, in [1, 1024] (libtorch's steps run on the calling thread)
     */
    public static CausalDecoderRunner openDecoder(CausalSequenceModel model, Engine engine, int threads) {
        refuseInt8(engine);
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads (" + threads + ") must be in [1, 1024]");
        }
        if (engine == Engine.ONNXRUNTIME || (engine == Engine.AUTO && OnnxRuntimeRunner.available())) {
            try {
                return OnnxRuntimeDecoder.open(model, threads);
            } catch (IOException e) {
                throw new UncheckedIOException("exporting the model for ONNX Runtime failed: " + e.getMessage(), e);
            }
        }
        CachedDecoder libtorch = CachedDecoder.libtorch(model, null);
        return new CausalDecoderRunner() {
            @Override
            public CachedDecoder.Session open(
                    GenerationWindow window, GenerationConfig config, int batchSize, int promptLength) {
                return libtorch.open(window, config, batchSize, promptLength);
            }

            @Override
            public CausalSequenceModel model() {
                return model;
            }

            @Override
            public Engine engine() {
                return Engine.LIBTORCH;
            }

            @Override
            public void close() {}
        };
    }

    /** Perceiver AR's forward passes and generation have no int8 graph. */
    private static void refuseInt8(Engine engine) {
        if (engine == Engine.ONNXRUNTIME_INT8) {
            throw new IllegalArgumentException("--engine onnxruntime-int8 runs the forward pass of classifiers, masked"
                    + " LMs and optical flow, not Perceiver AR models or generation; use --engine onnxruntime, auto or"
                    + " libtorch");
        }
    }
}
