package dev.perceiver.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scratch export ({@link OnnxExport.Durability#SCRATCH}, the temporary file ONNX Runtime sessions are made from)
 * holds the same bytes as a durable one, replaces what the file held before, and leaves no other file behind.
 */
class ScratchExportTest {
    @Test
    void scratchExportsHoldTheDurableExportsBytes(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel clm = new CausalLanguageModel(m, TestModels.clmConfig(30, 12, 4, 2, 16));
            clm.setTraining(false);
            Path durable = tmp.resolve("durable.onnx");
            Path scratch = tmp.resolve("scratch.onnx");
            Path durableCached = tmp.resolve("durable-cached.onnx");
            Path scratchCached = tmp.resolve("scratch-cached.onnx");
            OnnxExport.export(clm, durable, true);
            OnnxExport.exportCached(clm, durableCached);
            // longer than either export: what the scratch write does not overwrite must be cut off
            byte[] stale = new byte[(int) Files.size(durableCached) + 4096];
            Files.write(scratch, stale);
            Files.write(scratchCached, stale);
            OnnxExport.export(clm, scratch, true, false, OnnxExport.MAX_BYTES, OnnxExport.Durability.SCRATCH);
            OnnxExport.exportCached(clm, scratchCached, OnnxExport.MAX_BYTES, OnnxExport.Durability.SCRATCH);
            assertThat(Files.size(durable)).isGreaterThan(4L * clm.numParameters());
            assertThat(Files.mismatch(durable, scratch)).isEqualTo(-1L);
            assertThat(Files.mismatch(durableCached, scratchCached)).isEqualTo(-1L);
            assertThat(tmp.toFile().list())
                    .containsExactlyInAnyOrder(
                            "durable.onnx", "scratch.onnx", "durable-cached.onnx", "scratch-cached.onnx");
        }
    }

    @Test
    void aFailedScratchWriteNamesTheFile(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel clm = new CausalLanguageModel(m, TestModels.clmConfig(30, 12, 4, 2, 16));
            Path file = tmp.resolve("missing").resolve("scratch.onnx");
            assertThatThrownBy(() ->
                            OnnxExport.exportCached(clm, file, OnnxExport.MAX_BYTES, OnnxExport.Durability.SCRATCH))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("could not write " + file + ": ");
            assertThat(tmp.resolve("missing")).doesNotExist();
        }
    }
}
