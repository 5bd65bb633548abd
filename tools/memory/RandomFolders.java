// Model folders of published shapes with random weights, for peak-memory measurements (README "Pretrained models"):
// clm-base: krasserm/perceiver-ar-clm-base, the "Local (large)" model of the reference's
//   examples/training/clm/train_fsdp.sh (20 self-attention layers, 512 latents, 1280 channels, 10 heads, max_seq_len
//   1024) over a 32,000-id vocabulary, with a 32,000-entry word-level tokenizer.json standing in for
//   xlnet-base-cased's (no download here);
// vision-fourier: deepmind/vision-perceiver-fourier's shape (224 x 224 x 3, 64 Fourier bands, 512 latents x 1024,
//   8 applications of one block of 6 self-attention layers, 1000 classes), in the reference's layout.
// Run from the repository root, after ./perceiver has built the jar:
//   java -cp "perceiver-cli/target/perceiver-cli.jar:$(cat perceiver-cli/target/classpath.txt)" \
//       tools/memory/RandomFolders.java clm-base|vision-fourier OUT_DIR
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.tasks.text.CausalLanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

public class RandomFolders {
    static final int VOCAB = 32000;

    static final String VISION_FOURIER = """
            {"encoder": {"image_shape": [224, 224, 3], "num_frequency_bands": 64, "num_cross_attention_heads": 1,
              "num_cross_attention_layers": 1, "num_self_attention_heads": 8, "num_self_attention_blocks": 8,
              "num_self_attention_layers_per_block": 6, "first_self_attention_block_shared": true,
              "cross_attention_widening_factor": 1, "self_attention_widening_factor": 1},
             "decoder": {"num_output_query_channels": 1024, "num_classes": 1000, "num_cross_attention_heads": 1,
              "cross_attention_widening_factor": 1},
             "num_latents": 512, "num_latent_channels": 1024}""";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        if (args[0].equals("vision-fourier")) {
            try (NDManager m = NDManager.newBaseManager()) {
                var kind = dev.perceiver.tasks.vision.VisionModelKinds.IMAGE_CLASSIFIER;
                var model = kind.create(m, kind.readConfig(dev.perceiver.model.config.ConfigJson.parse(VISION_FOURIER)));
                System.out.printf("parameters: %.1f M%n", model.numParameters() / 1e6);
                ModelFolder.save(model, dir, Map.of());
            }
            return;
        }
        PerceiverARConfig config = PerceiverARConfig.builder()
                .vocabSize(VOCAB)
                .maxSeqLen(1024)
                .maxLatents(512)
                .numChannels(1280)
                .numHeads(10)
                .numSelfAttentionLayers(20)
                .build();
        try (NDManager m = NDManager.newBaseManager()) {
            CausalLanguageModel model = new CausalLanguageModel(m, config);
            System.out.printf("parameters: %.1f M%n", model.numParameters() / 1e6);
            ModelFolder.save(model, dir, Map.of());
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode tok = json.createObjectNode();
        tok.put("version", "1.0");
        tok.putNull("truncation");
        tok.putNull("padding");
        ArrayNode added = tok.putArray("added_tokens");
        String[] special = {"<pad>", "<unk>", "</s>"};
        for (int i = 0; i < special.length; i++) {
            added.addObject()
                    .put("id", i)
                    .put("content", special[i])
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        tok.putNull("normalizer");
        tok.putObject("pre_tokenizer").put("type", "Whitespace");
        tok.putNull("post_processor");
        tok.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = tok.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < special.length; i++) {
            vocab.put(special[i], i);
        }
        vocab.put("The", 3);
        vocab.put("Perceiver", 4);
        for (int i = 5; i < VOCAB; i++) {
            vocab.put("w" + i, i);
        }
        model.put("unk_token", "<unk>");
        json.writeValue(dir.resolve("tokenizer.json").toFile(), tok);
        ObjectNode map = json.createObjectNode();
        map.put("pad_token", "<pad>").put("unk_token", "<unk>").put("eos_token", "</s>");
        json.writeValue(dir.resolve("special_tokens_map.json").toFile(), map);
    }
}
