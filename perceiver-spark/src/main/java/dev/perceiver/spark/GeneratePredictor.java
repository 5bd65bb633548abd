package dev.perceiver.spark;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.text.GeneratedText;
import dev.perceiver.inference.text.TextGenerationPipeline;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy generate: {@code prompt} -> {@code prompt}, {@code generated_text}, {@code full_text}, {@code tokens},
 * {@code stopped_at_eos}, {@code strategy} (as {@code perceiver generate --json} without sampling options). A batch
 * of prompts is one left-padded generation batch, as the CLI's prompts are.
 */
final class GeneratePredictor implements RowPredictor {
    private final NDManager manager;
    private final TextModelFolder<CausalLanguageModel> folder;
    private final TextGenerationPipeline pipeline;
    private final GenerationConfig config;

    GeneratePredictor(InferenceSettings s) throws IOException {
        manager = NDManager.newBaseManager();
        try {
            folder = TextModelFolder.load(
                    Path.of(s.modelDir()), manager, "generate", TextModelKinds.CAUSAL_LANGUAGE_MODEL);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        pipeline = new TextGenerationPipeline(folder.model(), folder.tokenizer());
        config = pipeline.defaults(s.maxNewTokens())
                .withNumLatents(s.numLatents())
                .withGreedy();
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) {
        List<String> prompts = rows.stream().map(r -> r.value(0)).toList();
        List<ObjectNode> out = new ArrayList<>();
        for (GeneratedText r : pipeline.generate(prompts, config)) {
            ObjectNode o = JsonFields.object();
            o.put("prompt", r.prompt());
            o.put("generated_text", r.generatedText());
            o.put("full_text", r.fullText());
            ArrayNode tokens = o.putArray("tokens");
            for (long t : r.tokens()) {
                tokens.add(t);
            }
            o.put("stopped_at_eos", r.stoppedAtEos());
            o.put("strategy", "greedy");
            out.add(o);
        }
        return out;
    }

    @Override
    public void close() {
        folder.close();
        manager.close();
    }
}
