package dev.perceiver.inference.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.io.SafetensorsFile;
import dev.perceiver.model.io.StateDicts;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model folder written as the reference's {@code save_pretrained} writes it: config.json with the reference's field
 * names (all of them, nulls included, plus Hugging Face's own entries), weights under {@code backend_model.} with
 * the reference's state-dict keys, and the tokenizer files of {@code PerceiverTokenizer}.
 */
class ReferenceLayoutFolderTest {
    @TempDir
    Path dir;

    private static final String CONFIG = """
            {
              "architectures": ["PerceiverMaskedLanguageModel"],
              "model_config": {
                "activation_checkpointing": false,
                "activation_offloading": false,
                "decoder": {
                  "cross_attention_residual": false, "cross_attention_widening_factor": 1, "dropout": 0.0,
                  "freeze": false, "init_scale": 0.02, "max_seq_len": 24, "num_cross_attention_heads": 2,
                  "num_cross_attention_qk_channels": null, "num_cross_attention_v_channels": null,
                  "num_output_query_channels": null, "vocab_size": 262
                },
                "encoder": {
                  "cross_attention_widening_factor": 1, "dropout": 0.0, "first_cross_attention_layer_shared": false,
                  "first_self_attention_block_shared": true, "freeze": false, "init_scale": 0.02,
                  "max_seq_len": 24, "num_cross_attention_heads": 2, "num_cross_attention_layers": 1,
                  "num_cross_attention_qk_channels": null, "num_cross_attention_v_channels": null,
                  "num_input_channels": 16, "num_self_attention_blocks": 1, "num_self_attention_heads": 2,
                  "num_self_attention_layers_per_block": 2, "num_self_attention_qk_channels": null,
                  "num_self_attention_v_channels": null, "params": null, "self_attention_widening_factor": 1,
                  "vocab_size": 262
                },
                "num_latent_channels": 16,
                "num_latents": 8
              },
              "model_type": "perceiver-io-masked-language-model",
              "tokenizer_class": "PerceiverTokenizer",
              "torch_dtype": "float32",
              "transformers_version": "4.28.0"
            }
            """;

    @Test
    void loadsAndFillsMasksWithTheWeightsItWasGiven() throws Exception {
        Files.writeString(dir.resolve("config.json"), CONFIG);
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "[BOS]", "cls_token": "[CLS]", "eos_token": "[EOS]", "mask_token": "[MASK]",
                 "model_max_length": 2048, "pad_token": "[PAD]", "sep_token": "[SEP]",
                 "tokenizer_class": "PerceiverTokenizer"}
                """);
        try (NDManager m = NDManager.newBaseManager()) {
            // weights of a random model of this config under the reference's keys, prefixed as save_pretrained does
            MaskedLanguageModel source = TextModelKinds.MASKED_LANGUAGE_MODEL.createFromJson(
                    m, ConfigJson.parse(CONFIG).get("model_config"));
            Map<String, TensorData> tensors = StateDicts.toTensors(source, "backend_model.");
            assertThat(tensors)
                    .containsKeys(
                            "backend_model.0.input_adapter.txt_embedding.weight",
                            "backend_model.0.input_adapter.pos_embedding.weight",
                            "backend_model.0.latent_provider._query",
                            "backend_model.0.cross_attn_1.0.module.attention.q_proj.weight",
                            "backend_model.0.self_attn_1.1.1.module.3.bias",
                            "backend_model.1.output_query_provider._query",
                            "backend_model.1.cross_attn.0.attention.o_proj.weight",
                            "backend_model.1.output_adapter.bias");
            SafetensorsFile.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));

            try (TextModelFolder<MaskedLanguageModel> folder =
                    TextModelFolder.load(dir, m, "fill-mask", TextModelKinds.MASKED_LANGUAGE_MODEL)) {
                assertThat(folder.tokenizer()).isInstanceOf(BytesTokenizer.class);
                List<String> texts = List.of("I watched this[MASK][MASK][MASK]", "it[MASK]s");
                FillMaskResult loaded = new FillMaskPipeline(folder.model(), folder.tokenizer(), 8)
                        .fill(texts, 4)
                        .get(0);
                FillMaskResult expected = new FillMaskPipeline(source, new BytesTokenizer(), 8)
                        .fill(texts, 4)
                        .get(0);
                assertThat(loaded.masks()).hasSize(3);
                for (int i = 0; i < 3; i++) {
                    List<TokenScore> a = loaded.masks().get(i).candidates();
                    List<TokenScore> b = expected.masks().get(i).candidates();
                    for (int k = 0; k < 4; k++) {
                        assertThat(a.get(k).tokenId()).isEqualTo(b.get(k).tokenId());
                        assertThat(a.get(k).score()).isCloseTo(b.get(k).score(), within(1e-6));
                    }
                }
                assertThat(loaded.filledTexts()).isEqualTo(expected.filledTexts());
            }
        }
    }
}
