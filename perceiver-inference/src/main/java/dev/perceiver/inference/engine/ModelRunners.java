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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link ModelRunner} for a model on the engine asked for. With AUTO, a model that cannot be brought up on
 * ONNX Runtime (its export fails, e.g. a graph over ONNX's 2 GiB single-file limit, or ONNX Runtime cannot load the
 * exported graph) runs on libtorch, with one warning line saying why; with ONNXRUNTIME that is an error. A caller's
 * request to free the libtorch weights is carried out once the export succeeded, before ONNX Runtime loads its copy
 * (so that the weights are held once: measured, generate's peak on the perceiver-ar-clm-base shape is 3.92 GB this
 * way and 4.98 GB when they are freed after the session is up); when the session then fails under AUTO, the model
 * can no longer run on libtorch: {@link SessionFailedAfterRelease} tells its owner, which loads it again
 * ({@link #loadFallingBack}).
 */
public final class ModelRunners {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRunners.class);

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
     * Runtime loads it, so that the weights are held once: for a caller that owns the model, needs only its config
     * afterwards and can load it again (a pipeline made by {@code load}, through {@link #loadFallingBack}). Every use
     * of the model's weights then fails with a message saying so. On libtorch (asked for or fallen back to after a
     * failed export) the flag does nothing.
     *
     * @throws SessionFailedAfterRelease with AUTO and {@code releaseWeights}, when ONNX Runtime could not load the
     *     export after the weights were freed
     */
    public static ModelRunner open(Module model, Engine engine, int threads, boolean releaseWeights) {
        return open(model, engine, threads, releaseWeights, OnnxSessions.Settings.DEFAULT);
    }

    /** As {@link #open(Module, Engine, int, boolean)}, brought up on ONNX Runtime with {@code settings}. */
    static ModelRunner open(
            Module model, Engine engine, int threads, boolean releaseWeights, OnnxSessions.Settings settings) {
        checkThreads(threads);
        if (model instanceof CausalSequenceModel) {
            throw new IllegalArgumentException("model class " + model.getClass().getSimpleName()
                    + " has no (x, pad_mask) forward pass: its forward pass takes prefix_len (see openCausal)");
        }
        boolean exportable = OnnxExport.supports(model);
        if (engine.forcesOnnxRuntime() && !exportable) {
            throw new IllegalArgumentException(
                    "--engine " + engine.label() + ": " + OnnxExport.unsupportedReason(model));
        }
        if (triesOnnxRuntime(engine, exportable)) {
            try {
                return OnnxRuntimeRunner.open(
                        model,
                        threads,
                        releaseWeights
                                ? () -> release(model, "load the model with engine libtorch to use its modules")
                                : () -> {},
                        settings,
                        engine == Engine.ONNXRUNTIME_INT8);
            } catch (OnnxSessions.Unavailable e) {
                failOrWarn(engine, model, e, releaseWeights);
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
        return openCausal(model, engine, threads, OnnxSessions.Settings.DEFAULT);
    }

    /** As {@link #openCausal(CausalSequenceModel, Engine, int)}, brought up on ONNX Runtime with {@code settings}. */
    static CausalModelRunner openCausal(
            CausalSequenceModel model, Engine engine, int threads, OnnxSessions.Settings settings) {
        refuseInt8(engine);
        checkThreads(threads);
        if (triesOnnxRuntime(engine, true)) {
            try {
                return new OnnxRuntimeCausalRunner(model, OnnxRuntimeRunner.open(model, threads, () -> {}, settings));
            } catch (OnnxSessions.Unavailable e) {
                failOrWarn(engine, model, e, false);
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
     * @param engine LIBTORCH, ONNXRUNTIME or AUTO (ONNX Runtime when it loads on this machine and the model exports,
     *     else libtorch; see the README's "Decoding speed" for the measurement behind it)
     * @param threads intra-op threads of ONNX Runtime, in [1, 1024] (libtorch's steps run on the calling thread)
     */
    public static CausalDecoderRunner openDecoder(CausalSequenceModel model, Engine engine, int threads) {
        return openDecoder(model, engine, threads, false);
    }

    /**
     * As {@link #openDecoder(CausalSequenceModel, Engine, int)}; with {@code releaseWeights}, when the steps run on
     * ONNX Runtime, the model's libtorch weights are freed once exported, before ONNX Runtime loads the export (as
     * {@link #open(Module, Engine, int, boolean)} does), for a caller that owns the model, decodes only on this runner
     * and can load the model again: float16 steps and generation without the cache, which run on libtorch, then fail
     * with a message saying so.
     *
     * @throws SessionFailedAfterRelease with AUTO and {@code releaseWeights}, when ONNX Runtime could not load the
     *     export after the weights were freed
     */
    public static CausalDecoderRunner openDecoder(
            CausalSequenceModel model, Engine engine, int threads, boolean releaseWeights) {
        return openDecoder(model, engine, threads, releaseWeights, OnnxSessions.Settings.DEFAULT);
    }

    /** As {@link #openDecoder(CausalSequenceModel, Engine, int, boolean)}, with {@code settings}. */
    static CausalDecoderRunner openDecoder(
            CausalSequenceModel model,
            Engine engine,
            int threads,
            boolean releaseWeights,
            OnnxSessions.Settings settings) {
        refuseInt8(engine);
        checkThreads(threads);
        if (triesOnnxRuntime(engine, true)) {
            try {
                return OnnxRuntimeDecoder.open(
                        model,
                        threads,
                        releaseWeights
                                ? () -> release(
                                        model,
                                        "float16 steps (--fp16) and generation without the cache (--no-cache) run on"
                                                + " libtorch: load the model with engine libtorch for them or to use"
                                                + " its modules")
                                : () -> {},
                        settings);
            } catch (OnnxSessions.Unavailable e) {
                failOrWarn(engine, model, e, releaseWeights);
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

    /** Whether {@code engine} asks for ONNX Runtime, or is AUTO for an exportable model where ONNX Runtime loads. */
    private static boolean triesOnnxRuntime(Engine engine, boolean exportable) {
        return engine.forcesOnnxRuntime() || (engine == Engine.AUTO && exportable && OnnxRuntimeRunner.available());
    }

    private static void checkThreads(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads (" + threads + ") must be in [1, 1024]");
        }
    }

    /**
     * Forced ONNX Runtime: the failure as a one-line error. AUTO: when the session failed after the weights were
     * freed, {@link SessionFailedAfterRelease}; otherwise one warning line saying why, and the caller goes on to
     * libtorch (the model's weights are untouched).
     */
    private static void failOrWarn(Engine engine, Module model, OnnxSessions.Unavailable e, boolean releaseWeights) {
        if (engine != Engine.AUTO) {
            throw new UncheckedIOException(
                    "--engine " + engine.label() + ": " + e.getMessage() + " (--engine libtorch or auto runs it on"
                            + " libtorch)",
                    e);
        }
        if (releaseWeights && e.stage() == OnnxSessions.Stage.SESSION) {
            throw new SessionFailedAfterRelease(model.getClass().getSimpleName(), e);
        }
        LOG.warn(
                "--engine auto: {}; running {} on libtorch instead",
                e.getMessage(),
                model.getClass().getSimpleName());
    }

    /**
     * With AUTO, ONNX Runtime could not load a model's export after its libtorch weights were freed ({@code
     * releaseWeights}): the model cannot run on libtorch any more; its owner loads it again for libtorch (see
     * {@link #loadFallingBack}).
     */
    public static final class SessionFailedAfterRelease extends IllegalStateException {
        private final String modelClass;

        SessionFailedAfterRelease(String modelClass, OnnxSessions.Unavailable cause) {
            super(cause.getMessage(), cause);
            this.modelClass = modelClass;
        }

        /** The simple class name of the model that failed. */
        public String modelClass() {
            return modelClass;
        }
    }

    /** Loads a model and opens what runs it on an engine: a pipeline's {@code load}. */
    @FunctionalInterface
    public interface EngineLoad<P> {
        /**
         * @param engine the engine to open the model on
         * @throws IOException for a missing or invalid model folder
         */
        P load(Engine engine) throws IOException;
    }

    /**
     * {@code load} on {@code engine}, for an owner that opens its model with {@code releaseWeights} (freeing the
     * libtorch weights before ONNX Runtime loads the export): when AUTO's ONNX Runtime session fails after the weights
     * were freed ({@link SessionFailedAfterRelease}; {@code load} must have closed what it loaded), one warning line
     * saying why, and {@code load} on libtorch, which loads the model again.
     *
     * @throws IOException what {@code load} throws
     */
    public static <P> P loadFallingBack(Engine engine, EngineLoad<P> load) throws IOException {
        try {
            return load.load(engine);
        } catch (SessionFailedAfterRelease e) {
            LOG.warn(
                    "--engine auto: {}; loading {} again to run it on libtorch instead",
                    e.getMessage(),
                    e.modelClass());
            return load.load(Engine.LIBTORCH);
        }
    }

    /** Frees the model's libtorch weights, with a reason naming the model and what to do instead. */
    private static void release(Module model, String instead) {
        model.releaseWeights("the libtorch weights of this " + model.getClass().getSimpleName() + " were freed after"
                + " its export to ONNX Runtime (a pipeline loaded with engine onnxruntime or auto runs it there); "
                + instead);
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
