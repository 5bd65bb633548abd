package dev.perceiver.readme;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.FillMaskResult;
import dev.perceiver.inference.text.GeneratedText;
import dev.perceiver.inference.text.TextClassificationPipeline;
import dev.perceiver.inference.text.TextGenerationPipeline;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.text.TextTestModels;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.model.PerceiverDecoder;
import dev.perceiver.model.PerceiverEncoder;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.adapter.ClassificationOutputAdapter;
import dev.perceiver.model.adapter.InputAdapter;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.vision.ImageInputAdapter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java examples, kept compiling and running: building a Perceiver IO model from the building blocks, and
 * the text pipelines (whose README block must stand here word for word).
 */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void buildPerceiverIoFromBuildingBlocks() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // input adapter: 28 x 28 x 1 images -> M = 784 positions, C = 1 + 2 * (2 * 32 + 1) = 131 channels
            InputAdapter input = new ImageInputAdapter(manager, new int[] {28, 28, 1}, 32);
            EncoderConfig enc = EncoderConfig.builder()
                    .numCrossAttentionHeads(1)
                    .numCrossAttentionLayers(2) // P = 2
                    .numSelfAttentionHeads(8)
                    .numSelfAttentionBlocks(3) // L = 3
                    .numSelfAttentionLayersPerBlock(3)
                    .firstSelfAttentionBlockShared(false)
                    .build();
            PerceiverEncoder encoder = new PerceiverEncoder(manager, input, 32, 128, enc); // N = 32, D = 128
            PerceiverDecoder decoder = new PerceiverDecoder(
                    manager,
                    new ClassificationOutputAdapter(manager, 10, 128, 0.02), // O x E = 1 x 10 logits
                    new TrainableQueryProvider(manager, 1, 128, 0.02), // O x F = 1 x 128 query
                    128,
                    DecoderConfig.builder().numCrossAttentionHeads(1).build());
            PerceiverIO model = new PerceiverIO(manager, encoder, decoder);

            NDArray images = manager.randomUniform(0, 1, new Shape(4, 28, 28, 1));
            NDArray logits = model.forward(images, null); // (4, 10)

            assertThat(logits.getShape()).isEqualTo(new Shape(4, 10));
            assertThat(model.stateDict()).containsKey("0.self_attn_n.2.1.module.3.weight");
        }
    }

    /** Folders of tiny random models where the README's example expects the published ones. */
    private void writeTinyFolders(Path models) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            TextModelFolder.save(
                    new CausalLanguageModel(m, TestModels.clmConfig(262, 64, 16, 1, 16)),
                    models.resolve("clm"),
                    Map.of(),
                    new BytesTokenizer());
            TextModelFolder.save(
                    TextTestModels.mlm(m, 262, 96, 1), models.resolve("mlm"), Map.of(), new BytesTokenizer());
            JsonNode id2label =
                    JsonNodeFactory.instance.objectNode().put("0", "neg").put("1", "pos");
            TextModelFolder.save(
                    TextTestModels.classifier(m, 262, 64, 2, 2),
                    models.resolve("imdb"),
                    Map.of("id2label", id2label),
                    new BytesTokenizer());
        }
    }

    @Test
    void textPipelinesLoadInOneLine() throws IOException {
        Path models = tmp;
        writeTinyFolders(models);
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            // README: text pipelines (begin)
            try (TextGenerationPipeline generator = TextGenerationPipeline.load(models.resolve("clm"));
                    FillMaskPipeline fillMask = FillMaskPipeline.load(models.resolve("mlm"));
                    TextClassificationPipeline classifier = TextClassificationPipeline.load(models.resolve("imdb"))) {
                GenerationConfig sampling = generator.defaults(32).withSampling(0.8, 0, 0.9, 1L); // top-p 0.9, seed 1
                for (GeneratedText g : generator.generate(List.of("The Perceiver", "Once upon a time"), sampling)) {
                    System.out.println(g.fullText());
                }
                String masked = "I watched this[MASK][MASK][MASK][MASK][MASK].";
                FillMaskResult filled = fillMask.fill(List.of(masked), 3).get(0);
                System.out.println(filled.filledTexts().get(0)); // the most probable byte at each mask
                List<LabelScore> labels =
                        classifier.classify(List.of("A great movie."), 2).get(0);
                for (LabelScore label : labels) {
                    System.out.println(label.label() + " " + label.score());
                }
            } // closes the models, their weights and tokenizers
            // README: text pipelines (end)
        } finally {
            System.setOut(stdout);
        }
        String[] printed = captured.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(printed).hasSize(5);
        assertThat(printed[0]).startsWith("The Perceiver");
        assertThat(printed[1]).startsWith("Once upon a time");
        assertThat(printed[2]).startsWith("I watched this").endsWith(".");
        assertThat(printed[3]).matches("(neg|pos) 0\\.\\d+.*");
    }

    /** The README's block is this test's code between the markers, but for white space and its imports. */
    @Test
    void readmeShowsTheTextPipelineExampleAsTested() throws IOException {
        String source = Files.readString(Path.of("src/test/java/dev/perceiver/readme/ReadmeExampleTest.java"));
        String tested = source.substring(
                source.indexOf("// README: text pipelines (begin)"), source.indexOf("// README: text pipelines (end)"));
        tested = tested.substring(tested.indexOf('\n'));
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.lastIndexOf("```java\n", readme.indexOf("TextGenerationPipeline.load("));
        assertThat(start).as("README's text pipeline example").isNotNegative();
        String block = readme.substring(start, readme.indexOf("```\n", start + 7));
        StringBuilder code = new StringBuilder();
        for (String line : block.split("\n")) {
            if (!line.startsWith("import ") && !line.startsWith("```") && !line.startsWith("Path models =")) {
                code.append(line).append('\n');
            }
            if (line.startsWith("import ")) {
                assertThat(source).contains(line);
            }
        }
        assertThat(code.toString().replaceAll("\\s+", "")).isEqualTo(tested.replaceAll("\\s+", ""));
    }
}
