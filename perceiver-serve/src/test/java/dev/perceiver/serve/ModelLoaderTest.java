package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.engine.Engine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A served model that cannot be set up once its pipeline has loaded (here its batching thread is refused, as by an
 * executor already shut down) closes that pipeline: the model's engine arrays are freed, not left behind.
 */
class ModelLoaderTest {
    @TempDir
    static Path root;

    private static final Map<String, Path> FOLDERS = new LinkedHashMap<>();

    @BeforeAll
    static void save() throws Exception {
        FOLDERS.putAll(ServeTestModels.save(root));
        FOLDERS.putAll(ServeTestModels.saveFlowAndAudio(root));
    }

    @ParameterizedTest
    @ValueSource(strings = {"clm", "mlm", "clf", "img", "flow", "sam"})
    void aModelThatFailsToStartAfterLoadingClosesItsPipeline(String id) throws Exception {
        NDManager system = systemManager();
        int before = system.getManagedArrays().size();
        ModelLoader.Workers refusing = serial -> {
            ExecutorService shutDown = Executors.newSingleThreadExecutor();
            shutDown.shutdown();
            return shutDown;
        };
        ServeOptions options = ServeOptions.defaults().withEngine(Engine.LIBTORCH);
        assertThatThrownBy(() -> ModelLoader.load(id, FOLDERS.get(id), options, 1, refusing, new ServerMetrics()))
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(system.getManagedArrays())
                .as("engine arrays alive after the failed load")
                .hasSize(before);
    }

    /** The engine's root manager: every base manager's arrays are among its managed arrays. */
    private static NDManager systemManager() {
        try (NDManager base = NDManager.newBaseManager()) {
            return base.getParentManager();
        }
    }
}
