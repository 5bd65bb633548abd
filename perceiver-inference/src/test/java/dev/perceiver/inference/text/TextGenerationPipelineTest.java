package dev.perceiver.inference.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.inference.decoding.TestModels;
import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextGenerationPipelineTest {
    @TempDir
    Path tmp;

    private static CausalLanguageModel clm(NDManager m) {
        Engine.getInstance().setRandomSeed(31);
        return new CausalLanguageModel(m, TestModels.clmConfig(262, 32, 8, 1, 16));
    }

    @Test
    void continuesPromptsOfDifferentLengthsFromASavedFolder() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TextModelFolder.save(clm(m), tmp, Map.of(), new BytesTokenizer());
            try (TextModelFolder<CausalLanguageModel> folder =
                    TextModelFolder.load(tmp, m, "generate", TextModelKinds.CAUSAL_LANGUAGE_MODEL)) {
                TextGenerationPipeline pipeline = new TextGenerationPipeline(folder.model(), folder.tokenizer());
                GenerationConfig config = pipeline.defaults(6).withEosTokenId(null);
                List<GeneratedText> out = pipeline.generate(List.of("Hello", "a longer prompt"), config);
                assertThat(out).hasSize(2);
                BytesTokenizer bytes = new BytesTokenizer();
                for (int i = 0; i < 2; i++) {
                    GeneratedText g = out.get(i);
                    assertThat(g.tokens()).hasSize(6);
                    assertThat(g.fullText()).startsWith(g.prompt());
                    assertThat(g.fullText()).isEqualTo(g.prompt() + g.generatedText());
                    assertThat(g.generatedText()).isEqualTo(bytes.decode(g.tokens(), true));
                    assertThat(g.stoppedAtEos()).isFalse();
                }
                // the same tokens as generating from the token ids directly
                long[] hello = bytes.encode("Hello", false);
                long[] direct = new CausalGenerator(folder.model())
                        .generate(PromptBatch.leftPadded(List.of(hello), 0), config)
                        .generated(0);
                assertThat(out.get(0).tokens()).containsExactly(direct);
            }
        }
    }

    @Test
    void defaultsStopAtTheTokenizersEosAndEmptyPromptsAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextGenerationPipeline pipeline = new TextGenerationPipeline(clm(m), new BytesTokenizer());
            assertThat(pipeline.defaults(5).eosTokenId()).isEqualTo(2);
            assertThat(pipeline.defaults(5).padTokenId()).isZero();
            assertThatThrownBy(() -> pipeline.generate(List.of("ok", ""), pipeline.defaults(3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("prompt 1 is empty");
        }
    }
}
