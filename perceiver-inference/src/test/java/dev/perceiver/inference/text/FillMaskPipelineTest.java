package dev.perceiver.inference.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.inference.tokenizer.HuggingFaceFastTokenizer;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.inference.tokenizer.WordLevelTokenizerFiles;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FillMaskPipelineTest {
    @TempDir
    Path tmp;

    /** Softmax probabilities of one position computed directly with the model, for comparison. */
    private static float[] directProbabilities(MaskedLanguageModel model, long[] ids, int position) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray logits = model.forward(m.create(ids, new Shape(1, ids.length)), null);
            return logits.get(0, position).softmax(0).toFloatArray();
        }
    }

    @Test
    void aSavedFolderLoadsBackAndPredictsEveryMaskedByteWithProbabilities() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLanguageModel original = TextTestModels.mlm(m, 262, 32, 11);
            TextModelFolder.save(original, tmp, Map.of(), new BytesTokenizer());
            assertThat(tmp.resolve("tokenizer_config.json")).exists();
            try (TextModelFolder<MaskedLanguageModel> folder =
                    TextModelFolder.load(tmp, m, "fill-mask", TextModelKinds.MASKED_LANGUAGE_MODEL)) {
                assertThat(folder.folder().config().get("tokenizer_class").asText())
                        .isEqualTo("PerceiverTokenizer");
                FillMaskPipeline pipeline = new FillMaskPipeline(folder.model(), folder.tokenizer(), 8);
                List<FillMaskResult> results = pipeline.fill(List.of("a cat[MASK]", "the [MASK][MASK]at is here"), 3);
                assertThat(results).hasSize(2);

                FillMaskResult first = results.get(0);
                assertThat(first.masks()).hasSize(1);
                FillMaskResult.MaskPrediction p = first.masks().get(0);
                assertThat(p.position()).isEqualTo(6); // [CLS] a ' ' c a t [MASK] [SEP]
                assertThat(p.candidates()).hasSize(3);
                assertThat(p.candidates().get(0).score())
                        .isGreaterThanOrEqualTo(p.candidates().get(1).score());
                assertThat(p.candidates().get(1).score())
                        .isGreaterThanOrEqualTo(p.candidates().get(2).score());
                long[] ids = new BytesTokenizer().encode("a cat[MASK]", true);
                float[] probs = directProbabilities(original, ids, 6);
                for (TokenScore c : p.candidates()) {
                    assertThat(c.score()).isCloseTo(probs[(int) c.tokenId()], within(1e-5));
                }
                assertThat(first.filledTexts()).hasSize(3);
                long best = p.candidates().get(0).tokenId();
                assertThat(first.filledTexts().get(0))
                        .isEqualTo(new BytesTokenizer()
                                .decode(new long[] {'a' + 6, ' ' + 6, 'c' + 6, 'a' + 6, 't' + 6, best}, true));

                FillMaskResult second = results.get(1);
                assertThat(second.masks())
                        .extracting(FillMaskResult.MaskPrediction::position)
                        .containsExactly(5, 6);
            }
        }
    }

    @Test
    void rightPaddingInABatchDoesNotChangeThePredictions() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLanguageModel model = TextTestModels.mlm(m, 262, 32, 12);
            FillMaskPipeline pipeline = new FillMaskPipeline(model, new BytesTokenizer(), 8);
            String shortText = "x[MASK]y";
            List<FillMaskResult> together = pipeline.fill(List.of("a much longer [MASK] text", shortText), 2);
            List<FillMaskResult> alone = pipeline.fill(List.of(shortText), 2);
            List<TokenScore> a = together.get(1).masks().get(0).candidates();
            List<TokenScore> b = alone.get(0).masks().get(0).candidates();
            assertThat(a)
                    .extracting(TokenScore::tokenId)
                    .containsExactlyElementsOf(
                            b.stream().map(TokenScore::tokenId).toList());
            for (int i = 0; i < a.size(); i++) {
                assertThat(a.get(i).score()).isCloseTo(b.get(i).score(), within(1e-5));
            }
            assertThat(together.get(1).filledTexts()).isEqualTo(alone.get(0).filledTexts());
        }
    }

    @Test
    void angleBracketMaskIsReadAsTheTokenizersMaskToken() {
        try (NDManager m = NDManager.newBaseManager()) {
            FillMaskPipeline pipeline =
                    new FillMaskPipeline(TextTestModels.mlm(m, 262, 32, 13), new BytesTokenizer(), 8);
            FillMaskResult r = pipeline.fill(List.of("ab<mask>"), 1).get(0);
            assertThat(r.text()).isEqualTo("ab[MASK]");
            assertThat(r.masks()).hasSize(1);
        }
    }

    @Test
    void badInputNamesTheProblem() {
        try (NDManager m = NDManager.newBaseManager()) {
            FillMaskPipeline pipeline =
                    new FillMaskPipeline(TextTestModels.mlm(m, 262, 16, 14), new BytesTokenizer(), 8);
            assertThatThrownBy(() -> pipeline.fill(List.of("no mask here"), 3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("text 0")
                    .hasMessageContaining("no mask token [MASK]");
            assertThatThrownBy(() -> pipeline.fill(List.of("a[MASK]"), 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("top_k (0)")
                    .hasMessageContaining("[1, 262]");
            assertThatThrownBy(() -> pipeline.fill(List.of("a[MASK]", "this text is far too long[MASK]"), 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("text 1 has 28 tokens")
                    .hasMessageContaining("max_seq_len (16)");
        }
    }

    @Test
    void aHuggingFaceTokenizerFolderFillsWholeWords() throws Exception {
        WordLevelTokenizerFiles.write(tmp);
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLanguageModel model = TextTestModels.mlm(m, 12, 16, 15);
            try (Tokenizer tokenizer = Tokenizer.forModelFolder(tmp)) {
                TextModelFolder.save(model, tmp, Map.of(), tokenizer);
            }
            try (TextModelFolder<MaskedLanguageModel> folder =
                    TextModelFolder.load(tmp, m, "fill-mask", TextModelKinds.MASKED_LANGUAGE_MODEL)) {
                assertThat(folder.tokenizer()).isInstanceOf(HuggingFaceFastTokenizer.class);
                FillMaskResult r = new FillMaskPipeline(folder.model(), folder.tokenizer(), 8)
                        .fill(List.of("the [MASK] sat on the mat"), 2)
                        .get(0);
                assertThat(r.masks())
                        .singleElement()
                        .extracting(FillMaskResult.MaskPrediction::position)
                        .isEqualTo(2);
                TokenScore best = r.masks().get(0).candidates().get(0);
                assertThat(best.token()).isEqualTo(WordLevelTokenizerFiles.WORDS[(int) best.tokenId()]);
                String expected = ("the " + (folder.tokenizer().isSpecial(best.tokenId()) ? "" : best.token() + " ")
                                + "sat on the mat")
                        .replace("  ", " ");
                assertThat(r.filledTexts().get(0)).isEqualTo(expected);
            }
        }
    }
}
