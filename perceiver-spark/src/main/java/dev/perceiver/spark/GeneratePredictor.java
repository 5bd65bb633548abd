package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.text.TextGenerationPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Greedy generate: {@code prompt} -> {@code prompt}, {@code generated_text}, {@code full_text}, {@code tokens},
 * {@code stopped_at_eos}, {@code strategy} (as {@code perceiver generate --json} without sampling options). A batch
 * of prompts is one left-padded generation batch, as the CLI's prompts are.
 */
final class GeneratePredictor implements RowPredictor {
    private final TextGenerationPipeline pipeline;
    private final GenerationConfig config;

    GeneratePredictor(InferenceSettings s) throws IOException {
        pipeline = TextGenerationPipeline.load(Path.of(s.modelDir()), s.engine(), ExecutorModels.sessionThreads(s));
        config = pipeline.defaults(s.maxNewTokens())
                .withNumLatents(s.numLatents())
                .withGreedy();
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) {
        List<String> prompts = rows.stream().map(r -> r.value(0)).toList();
        return pipeline.generate(prompts, config).stream()
                .map(r -> ResultJson.generated(r, null))
                .toList();
    }

    @Override
    public Engine engine() {
        return pipeline.engine();
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
