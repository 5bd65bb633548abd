package dev.perceiver.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            // 3 layers' keys and values (6 present outputs) and the logits; only the logits pass through an Identity
            assertThat(count(bytes, "present_")).isGreaterThanOrEqualTo(6);
            assertThat(count(bytes, "Identity")).isEqualTo(1);
        }
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
