package dev.perceiver.cli;

import dev.perceiver.nn.EngineSetup;
import java.util.concurrent.Callable;

/**
 * Runs a token-by-token generation on a serial worker: a thread started once for the command whose libtorch
 * intra-op thread count is one ({@link EngineSetup#serialWorkers}), while the process keeps its own count. Cached
 * decoding steps are hundreds of tiny operations, for which a second intra-op thread costs more than it saves (the
 * README's "Decoding speed" has the numbers); no process-wide thread count is switched for it.
 */
final class SerialWorker {
    private SerialWorker() {}

    /** The result of {@code work} run on a serial worker; its exceptions reach the caller unwrapped. */
    static <T> T call(Callable<T> work) throws Exception {
        try (EngineSetup.Applied engine =
                EngineSetup.builder().serialWorkers(1).build().apply()) {
            return EngineSetup.callOn(engine.serialWorkers(), work);
        }
    }
}
