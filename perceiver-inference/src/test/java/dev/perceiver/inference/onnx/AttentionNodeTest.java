package dev.perceiver.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The graph ONNX Runtime runs by default (its operators, float32 weights) computes each self-attention layer as one
 * {@code com.microsoft:Attention} node; the int8 graph (sequence-first FusedMatMul) and the standard-operator graph of
 * {@code export-onnx} have none. Outputs are checked against libtorch in OnnxExportTasksTest.
 */
class AttentionNodeTest {
    @Test
    void oneAttentionNodePerSelfAttentionLayer(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLanguageModel mlm = TextModelKinds.MASKED_LANGUAGE_MODEL.create(
                    m, TextModelKinds.MASKED_LANGUAGE_MODEL.readConfig(ConfigJson.parse("""
                            {"encoder": {"vocab_size": 30, "max_seq_len": 12, "num_input_channels": 16,
                              "num_cross_attention_heads": 2, "num_self_attention_heads": 2,
                              "num_self_attention_layers_per_block": 3, "num_self_attention_blocks": 1},
                             "decoder": {"vocab_size": 30, "max_seq_len": 12, "num_cross_attention_heads": 2},
                             "num_latents": 4, "num_latent_channels": 16}""")));
            mlm.setTraining(false);
            Path fused = tmp.resolve("fused.onnx");
            Path int8 = tmp.resolve("int8.onnx");
            Path standard = tmp.resolve("standard.onnx");
            OnnxExport.export(mlm, fused, true);
            OnnxExport.export(mlm, int8, true, true, OnnxExport.MAX_BYTES);
            OnnxExport.export(mlm, standard);
            assertThat(OnnxFileText.count(fused, "Attention")).isEqualTo(3);
            assertThat(OnnxFileText.count(fused, "FusedMatMul")).isZero();
            assertThat(OnnxFileText.count(int8, "Attention")).isZero();
            assertThat(OnnxFileText.count(int8, "FusedMatMul")).isEqualTo(6); // logits and weighted sum per layer
            assertThat(OnnxFileText.count(standard, "Attention")).isZero();
        }
    }
}
