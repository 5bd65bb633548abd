package dev.perceiver.inference.engine;

import ai.djl.ndarray.NDArray;
import dev.perceiver.inference.decoding.CachedDecoder;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationWindow;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.nn.Module;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link ModelRunner} for a model on the engine asked for. With AUTO, a model that cannot be brought up on
 * ONNX Runtime (its export fails, e.g. a graph over ONNX's 2 GiB single-file limit, or ONNX Runtime cannot load the
 * exported graph) runs on libtorch, with one warning line saying why; with ONNXRUNTIME that is an error. A caller's
 * request to free the libtorch weights is carried out only once the ONNX Runtime session exists, so that falling back
 * stays possible until then.
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
     * model's libtorch weights are freed ({@link Module#releaseWeights}) once the ONNX Runtime session is up (not
     * before: AUTO falls back to libtorch when the export or the session fails), so that the weights are held once
     * while the runner is used: for a caller that owns the model and needs only its config afterwards (a pipeline made
     * by {@code load}). Every use of the model's weights then fails with a message saying so. On libtorch (asked for
     * or fallen back to) the flag does nothing.
     */
    public static ModelRunner open(Module model, Engine engine, int threads, boolean releaseWeights) {
        return open(model, engine, threads, releaseWeights, OnnxExport.MAX_BYTES);
    }

    /** As {@link #open(Module, Engine, int, boolean)}, the exported ONNX file at most {@code maxExportBytes}. */
    static ModelRunner open(Module model, Engine engine, int threads, boolean releaseWeights, long maxExportBytes) {
        checkThreads(threads);
        if (model instanceof CausalSequenceModel) {
            throw new IllegalArgumentException("model class " + model.getClass().getSimpleName()
                    + " has no (x, pad_mask) forward pass: its forward pass takes prefix_len (see openCausal)");
        }
        boolean exportable = OnnxExport.supports(model);
        if (engine == Engine.ONNXRUNTIME && !exportable) {
            throw new IllegalArgumentException("--engine onnxruntime: " + OnnxExport.unsupportedReason(model));
        }
        if (engine == Engine.ONNXRUNTIME || (engine == Engine.AUTO && exportable && OnnxRuntimeRunner.available())) {
            try {
                OnnxRuntimeRunner runner = OnnxRuntimeRunner.open(model, threads, maxExportBytes);
                if (releaseWeights) {
                    release(model, "load the model with engine libtorch to use its modules");
                }
                return runner;
            } catch (OnnxSessions.Unavailable e) {
                failOrWarn(engine, model, e);
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
        return openCausal(model, engine, threads, OnnxExport.MAX_BYTES);
    }

    /** As {@link #openCausal(CausalSequenceModel, Engine, int)}, the exported file at most {@code maxExportBytes}. */
    static CausalModelRunner openCausal(CausalSequenceModel model, Engine engine, int threads, long maxExportBytes) {
        checkThreads(threads);
        if (engine == Engine.ONNXRUNTIME || (engine == Engine.AUTO && OnnxRuntimeRunner.available())) {
            try {
                return new OnnxRuntimeCausalRunner(model, OnnxRuntimeRunner.open(model, threads, maxExportBytes));
            } catch (OnnxSessions.Unavailable e) {
                failOrWarn(engine, model, e);
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
     * ONNX Runtime, the model's libtorch weights are freed once the session is up (as {@link #open(Module, Engine,
     * int, boolean)} does), for a caller that owns the model and decodes only on this runner: float16 steps and
     * generation without the cache, which run on libtorch, then fail with a message saying so.
     */
    public static CausalDecoderRunner openDecoder(
            CausalSequenceModel model, Engine engine, int threads, boolean releaseWeights) {
        return openDecoder(model, engine, threads, releaseWeights, OnnxExport.MAX_BYTES);
    }

    /** As {@link #openDecoder(CausalSequenceModel, Engine, int, boolean)}, the file at most {@code maxExportBytes}. */
    static CausalDecoderRunner openDecoder(
            CausalSequenceModel model, Engine engine, int threads, boolean releaseWeights, long maxExportBytes) {
        checkThreads(threads);
        if (engine == Engine.ONNXRUNTIME || (engine == Engine.AUTO && OnnxRuntimeRunner.available())) {
            try {
                OnnxRuntimeDecoder decoder = OnnxRuntimeDecoder.open(model, threads, maxExportBytes);
                if (releaseWeights) {
                    release(
                            model,
                            "float16 steps (--fp16) and generation without the cache (--no-cache) run on libtorch:"
                                    + " load the model with engine libtorch for them or to use its modules");
                }
                return decoder;
            } catch (OnnxSessions.Unavailable e) {
                failOrWarn(engine, model, e);
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

    private static void checkThreads(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads (" + threads + ") must be in [1, 1024]");
        }
    }

    /**
     * Forced ONNX Runtime: the failure as a one-line error. AUTO: one warning line saying why, and the caller goes on
     * to libtorch (the model's weights are untouched: they are freed only after a session is up).
     */
    private static void failOrWarn(Engine engine, Module model, OnnxSessions.Unavailable e) {
        if (engine != Engine.AUTO) {
            throw new UncheckedIOException(
                    "--engine " + engine.label() + ": " + e.getMessage() + " (--engine libtorch or auto runs it on"
                            + " libtorch)",
                    e);
        }
        LOG.warn(
                "--engine auto: {}; running {} on libtorch instead",
                e.getMessage(),
                model.getClass().getSimpleName());
    }

    /** Frees the model's libtorch weights, with a reason naming the model and what to do instead. */
    private static void release(Module model, String instead) {
        model.releaseWeights("the libtorch weights of this " + model.getClass().getSimpleName() + " were freed after"
                + " its export to ONNX Runtime (a pipeline loaded with engine onnxruntime or auto runs it there); "
                + instead);
    }
}
