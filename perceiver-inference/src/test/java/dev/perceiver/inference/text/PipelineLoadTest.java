package dev.perceiver.inference.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.text.TextModelKinds;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-line {@code load(dir)} of the text pipelines: the same results as a pipeline over a {@link TextModelFolder}
 * the caller owns, and one {@code close} frees the model's manager.
 */
class PipelineLoadTest {
    @TempDir
    Path tmp;

    @Test
    void fillMaskLoadOwnsTheModelAndAnswersAsTheFolderPipeline() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TextModelFolder.save(TextTestModels.mlm(m, 262, 32, 3), tmp, Map.of(), new BytesTokenizer());
        }
        List<String> texts = List.of("a c[MASK]t", "[MASK][MASK] is here");
        FillMaskPipeline loaded = FillMaskPipeline.load(tmp);
        try (loaded;
                NDManager m = NDManager.newBaseManager();
                TextModelFolder<MaskedLanguageModel> f =
                        TextModelFolder.load(tmp, m, "fill-mask", TextModelKinds.MASKED_LANGUAGE_MODEL);
                FillMaskPipeline manual =
                        new FillMaskPipeline(f.model(), f.tokenizer(), FillMaskPipeline.DEFAULT_BATCH_SIZE)) {
            assertThat(loaded.model().isTraining()).isFalse();
            assertThat(loaded.fill(texts, 3)).isEqualTo(manual.fill(texts, 3));
        }
        assertThat(loaded.model().manager().isOpen()).isFalse();
    }

    @Test
    void fillMaskLoadOnOnnxRuntimeFreesTheLibtorchWeightsAndStillAnswers() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TextModelFolder.save(TextTestModels.mlm(m, 262, 32, 3), tmp, Map.of(), new BytesTokenizer());
        }
        List<String> texts = List.of("a c[MASK]t", "[MASK][MASK] is here");
        try (FillMaskPipeline ort =
                        FillMaskPipeline.load(tmp, 2, dev.perceiver.inference.engine.Engine.ONNXRUNTIME, 1);
                FillMaskPipeline lt =
                        FillMaskPipeline.load(tmp, 2, dev.perceiver.inference.engine.Engine.LIBTORCH, 1)) {
            assertThat(ort.engine()).isEqualTo(dev.perceiver.inference.engine.Engine.ONNXRUNTIME);
            assertThat(ort.model().stateDict().values()).allMatch(Parameter::isReleased);
            assertThat(lt.model().stateDict().values()).noneMatch(Parameter::isReleased);
            List<FillMaskResult> got = ort.fill(texts, 3);
            List<FillMaskResult> want = lt.fill(texts, 3);
            for (int t = 0; t < texts.size(); t++) {
                for (int k = 0; k < got.get(t).masks().size(); k++) {
                    List<TokenScore> g = got.get(t).masks().get(k).candidates();
                    List<TokenScore> w = want.get(t).masks().get(k).candidates();
                    for (int c = 0; c < 3; c++) { // scores in order (ids may swap only between near-equal scores)
                        assertThat(g.get(c).score()).isCloseTo(w.get(c).score(), within(1e-5));
                    }
                }
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray ids = m.create(new long[][] {{7, 8, 9}});
                assertThatThrownBy(() -> ort.model().forward(ids, null))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("freed after its export to ONNX Runtime");
                assertThat(lt.model().forward(ids, null).getShape().get(1)).isEqualTo(3);
            }
        }
    }

    @Test
    void classificationLoadReadsTheLabelsAndOwnsTheModel() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            JsonNode id2label =
                    JsonNodeFactory.instance.objectNode().put("0", "neg").put("1", "pos");
            TextModelFolder.save(
                    TextTestModels.classifier(m, 262, 32, 2, 5),
                    tmp,
                    Map.of("id2label", id2label),
                    new BytesTokenizer());
        }
        TextClassificationPipeline loaded = TextClassificationPipeline.load(tmp);
        try (loaded;
                NDManager m = NDManager.newBaseManager();
                TextModelFolder<TextClassifier> f =
                        TextModelFolder.load(tmp, m, "classify-text", TextModelKinds.TEXT_CLASSIFIER);
                TextClassificationPipeline manual = new TextClassificationPipeline(
                        f.model(), f.tokenizer(), f.labels(), TextClassificationPipeline.DEFAULT_BATCH_SIZE)) {
            List<List<LabelScore>> got = loaded.classify(List.of("A great movie.", "Dull."), 2);
            assertThat(got).isEqualTo(manual.classify(List.of("A great movie.", "Dull."), 2));
            assertThat(got.get(0)).extracting(LabelScore::label).containsExactlyInAnyOrder("neg", "pos");
        }
        assertThat(loaded.model().manager().isOpen()).isFalse();
    }

    @Test
    void generationLoadOwnsTheModelAndRefusesAFolderOfAnotherKind() throws Exception {
        Path clm = tmp.resolve("clm");
        Path mlm = tmp.resolve("mlm");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(31);
            TextModelFolder.save(
                    new CausalLanguageModel(m, TestModels.clmConfig(262, 32, 8, 1, 16)),
                    clm,
                    Map.of(),
                    new BytesTokenizer());
            TextModelFolder.save(TextTestModels.mlm(m, 262, 32, 3), mlm, Map.of(), new BytesTokenizer());
        }
        TextGenerationPipeline loaded = TextGenerationPipeline.load(clm);
        try (loaded;
                NDManager m = NDManager.newBaseManager();
                TextModelFolder<CausalLanguageModel> f =
                        TextModelFolder.load(clm, m, "generate", TextModelKinds.CAUSAL_LANGUAGE_MODEL)) {
            GenerationConfig config = loaded.defaults(5).withEosTokenId(null);
            List<GeneratedText> got = loaded.generate(List.of("Hello"), config);
            List<GeneratedText> want =
                    new TextGenerationPipeline(f.model(), f.tokenizer()).generate(List.of("Hello"), config);
            assertThat(got.get(0).tokens()).containsExactly(want.get(0).tokens());
            assertThat(got.get(0).fullText()).isEqualTo(want.get(0).fullText());
        }
        assertThat(loaded.model().manager().isOpen()).isFalse();
        assertThatThrownBy(() -> TextGenerationPipeline.load(mlm))
                .isInstanceOf(WrongModelKindException.class)
                .hasMessage("model folder " + mlm + " holds a fill-mask model (model_type "
                        + "perceiver-io-masked-language-model); a text-generation model (model_type "
                        + "perceiver-ar-causal-language-model) is needed");
    }

    @Test
    void generationLoadedOnOnnxRuntimeFreesItsLibtorchWeightsAndGeneratesTheSameTokens() throws Exception {
        Path clm = tmp.resolve("clm-ort");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(32);
            TextModelFolder.save(
                    new CausalLanguageModel(m, TestModels.clmConfig(262, 32, 8, 1, 16)),
                    clm,
                    Map.of(),
                    new BytesTokenizer());
        }
        var auto = dev.perceiver.inference.engine.Engine.AUTO;
        var libtorch = dev.perceiver.inference.engine.Engine.LIBTORCH;
        try (TextGenerationPipeline ort = TextGenerationPipeline.load(clm, auto, 1);
                TextGenerationPipeline lt = TextGenerationPipeline.load(clm, libtorch, 1);
                NDManager m = NDManager.newBaseManager();
                TextModelFolder<CausalLanguageModel> f =
                        TextModelFolder.load(clm, m, "generate", TextModelKinds.CAUSAL_LANGUAGE_MODEL);
                TextGenerationPipeline callers = new TextGenerationPipeline(f.model(), f.tokenizer(), auto, 1)) {
            assertThat(ort.engine()).isEqualTo(dev.perceiver.inference.engine.Engine.ONNXRUNTIME);
            assertThat(callers.engine()).isEqualTo(dev.perceiver.inference.engine.Engine.ONNXRUNTIME);
            // the pipeline loaded on ONNX Runtime freed its libtorch weights; the libtorch one and the one over a
            // caller's model did not
            assertThat(ort.model().stateDict().values()).allMatch(Parameter::isReleased);
            assertThat(lt.model().stateDict().values()).noneMatch(Parameter::isReleased);
            assertThat(f.model().stateDict().values()).noneMatch(Parameter::isReleased);
            GenerationConfig config = ort.defaults(6).withEosTokenId(null);
            long[] want = lt.generate(List.of("Hello"), config).get(0).tokens();
            assertThat(ort.generate(List.of("Hello"), config).get(0).tokens()).containsExactly(want);
            assertThat(callers.generate(List.of("Hello"), config).get(0).tokens())
                    .containsExactly(want);
            // float16 steps and generation without the cache run on libtorch: refused with a message saying why
            assertThatThrownBy(() -> ort.generate(List.of("Hello"), config.withFloat16Steps(true)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("float16 steps (--fp16) needs the model's libtorch weights, which were freed after its"
                            + " export to ONNX Runtime (a pipeline loaded with engine onnxruntime or auto); load it"
                            + " with engine libtorch");
            assertThatThrownBy(() -> ort.generate(List.of("Hello"), config.withCache(false)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("generation without the cache (--no-cache) needs the model's libtorch");
            assertThat(callers.generate(List.of("Hello"), config.withCache(false))
                            .get(0)
                            .tokens())
                    .containsExactly(want);
        }
    }
}
