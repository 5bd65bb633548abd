package dev.perceiver.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cached graph's present caches are the Concat results themselves: no Identity copy of a cache per step. */
class CachedExportTest {
    @Test
    void presentCachesAreNotCopiedIntoTheirOutputs(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel clm = new CausalLanguageModel(m, TestModels.clmConfig(30, 12, 4, 2, 16));
            clm.setTraining(false);
            Path file = tmp.resolve("cached.onnx");
            OnnxExport.exportCached(clm, file);
            // 3 layers' keys and values (6 present outputs) and the logits; only the logits pass through an Identity
            assertThat(OnnxFileText.count(file, "present_")).isGreaterThanOrEqualTo(6);
            assertThat(OnnxFileText.count(file, "Identity")).isEqualTo(1);
        }
    }
}
