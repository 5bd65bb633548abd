package dev.perceiver.inference.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.text.TextModelKinds;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextClassificationPipelineTest {
    @TempDir
    Path tmp;

    @Test
    void labelsFromId2LabelWithSoftmaxScoresMostProbableFirst() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TextClassifier original = TextTestModels.classifier(m, 262, 64, 3, 21);
            TextModelFolder.save(
                    original,
                    tmp,
                    ModelFolder.labelEntries(new String[] {"neg", "neutral", "pos"}),
                    new BytesTokenizer());
            try (TextModelFolder<TextClassifier> folder =
                    TextModelFolder.load(tmp, m, "classify-text", TextModelKinds.TEXT_CLASSIFIER)) {
                TextClassificationPipeline pipeline =
                        new TextClassificationPipeline(folder.model(), folder.tokenizer(), folder.labels(), 2);
                List<String> texts = List.of("great movie", "a rather long and boring film, really", "ok");
                List<List<LabelScore>> results = pipeline.classify(texts, 3);
                assertThat(results).hasSize(3);
                for (int t = 0; t < texts.size(); t++) {
                    List<LabelScore> r = results.get(t);
                    assertThat(r).extracting(LabelScore::label).containsExactlyInAnyOrder("neg", "neutral", "pos");
                    assertThat(r.get(0).score()).isGreaterThanOrEqualTo(r.get(1).score());
                    assertThat(r.get(1).score()).isGreaterThanOrEqualTo(r.get(2).score());
                    assertThat(r.stream().mapToDouble(LabelScore::score).sum()).isCloseTo(1.0, within(1e-5));
                    long[] ids = new BytesTokenizer().encode(texts.get(t), true);
                    float[] probs;
                    try (NDManager sub = m.newSubManager()) {
                        NDArray logits = original.forward(sub.create(ids, new Shape(1, ids.length)), null);
                        probs = logits.get(0).softmax(0).toFloatArray();
                    }
                    for (LabelScore s : r) {
                        assertThat(s.score()).as("text %d %s", t, s.label()).isCloseTo(probs[s.index()], within(1e-5));
                    }
                }
                assertThat(pipeline.classify(texts, 1))
                        .allSatisfy(r -> assertThat(r).hasSize(1));
            }
        }
    }

    @Test
    void withoutId2LabelClassesAreNamedByIndex() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TextModelFolder.save(TextTestModels.classifier(m, 262, 64, 2, 22), tmp, Map.of(), new BytesTokenizer());
            try (TextModelFolder<TextClassifier> folder =
                    TextModelFolder.load(tmp, m, "classify-text", TextModelKinds.TEXT_CLASSIFIER)) {
                assertThat(folder.labels()).isNull();
                List<LabelScore> r = new TextClassificationPipeline(folder.model(), folder.tokenizer(), null, 8)
                        .classify(List.of("x"), 2)
                        .get(0);
                assertThat(r).extracting(LabelScore::label).containsExactlyInAnyOrder("0", "1");
            }
        }
    }

    @Test
    void badInputNamesTheProblem() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TextClassificationPipeline pipeline = new TextClassificationPipeline(
                    TextTestModels.classifier(m, 262, 8, 2, 23), new BytesTokenizer(), null, 8);
            assertThatThrownBy(() -> pipeline.classify(List.of("x"), 3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("top_k (3) must be in [1, 2]");
            assertThatThrownBy(() -> pipeline.classify(List.of("0123456789"), 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("text 0 has 12 tokens")
                    .hasMessageContaining("max_seq_len (8)");
            TextModelFolder.save(TextTestModels.mlm(m, 262, 8, 24), tmp, Map.of(), new BytesTokenizer());
            assertThatThrownBy(() -> TextModelFolder.load(tmp, m, "classify-text", TextModelKinds.TEXT_CLASSIFIER))
                    .isInstanceOf(WrongModelKindException.class)
                    .hasMessage("model folder " + tmp + " holds a fill-mask model (model_type "
                            + "perceiver-io-masked-language-model); classify-text needs a text-classification model "
                            + "(model_type perceiver-io-text-classifier)");
            assertThatThrownBy(() -> TextClassificationPipeline.load(tmp))
                    .isInstanceOf(WrongModelKindException.class)
                    .hasMessageEndingWith(
                            "a text-classification model (model_type perceiver-io-text-classifier) is needed");
        }
    }
}
