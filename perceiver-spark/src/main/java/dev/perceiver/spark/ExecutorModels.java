package dev.perceiver.spark;

import dev.perceiver.nn.EngineSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of one executor JVM: each model folder is loaded once per JVM (not per row or partition) by the first
 * task that needs it and then shared by all tasks of the JVM; libtorch's intra-op thread count is set once, before
 * the first model loads ({@link EngineSetup}). The models are closed when the JVM exits.
 */
public final class ExecutorModels {
    private static final Map<String, RowPredictor> MODELS = new ConcurrentHashMap<>();
    private static final Object ENGINE_LOCK = new Object();
    private static boolean engineSet;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "perceiver-models-close"));
    }

    private ExecutorModels() {}

    /** The predictor of {@code s}'s task and model folder, loaded on first use in this JVM. */
    public static RowPredictor get(InferenceSettings s) {
        setEngineOnce(s.threadsFor(Runtime.getRuntime().availableProcessors()));
        return MODELS.computeIfAbsent(s.modelKey(), k -> load(s));
    }

    /**
     * The intra-op threads of an ONNX Runtime session of this JVM ({@link InferenceSettings#sessionThreadsFor}: the
     * JVM's thread budget, as one session serves all its task slots at once).
     */
    static int sessionThreads(InferenceSettings s) {
        return s.sessionThreadsFor(Runtime.getRuntime().availableProcessors());
    }

    /** Number of models this JVM holds. */
    public static int loaded() {
        return MODELS.size();
    }

    /** Sets libtorch's intra-op thread count of this JVM, once (later calls do nothing). */
    static void setEngineOnce(int threads) {
        synchronized (ENGINE_LOCK) {
            if (!engineSet) {
                EngineSetup.builder().threads(threads).build().apply();
                engineSet = true;
            }
        }
    }

    /** A new predictor of {@code s}'s task and model folder (not cached); the caller closes it. */
    static RowPredictor load(InferenceSettings s) {
        try {
            return switch (s.task()) {
                case FILL_MASK -> new FillMaskPredictor(s);
                case CLASSIFY_TEXT -> new ClassifyTextPredictor(s);
                case GENERATE -> new GeneratePredictor(s);
                case CLASSIFY_IMAGE -> new ClassifyImagePredictor(s);
                case EMBED -> new EmbedPredictor(s);
                case FLOW -> new FlowPredictor(s);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("model folder " + s.modelDir() + ": " + e.getMessage(), e);
        }
    }

    /** Closes every model of this JVM (at exit). */
    static void closeAll() {
        for (String key : MODELS.keySet()) {
            RowPredictor p = MODELS.remove(key);
            if (p != null) {
                p.close();
            }
        }
    }
}
