package dev.perceiver.spark;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.FillMaskResult;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.text.TokenScore;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** fill-mask: {@code text} -> {@code text}, {@code masks}, {@code filled_texts} (as {@code fill-mask --json}). */
final class FillMaskPredictor implements RowPredictor {
    private final NDManager manager;
    private final TextModelFolder<MaskedLanguageModel> folder;
    private final FillMaskPipeline pipeline;
    private final int topK;

    FillMaskPredictor(InferenceSettings s) throws IOException {
        manager = NDManager.newBaseManager();
        try {
            folder = TextModelFolder.load(
                    Path.of(s.modelDir()), manager, "fill-mask", TextModelKinds.MASKED_LANGUAGE_MODEL);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        pipeline = new FillMaskPipeline(folder.model(), folder.tokenizer(), s.batchSize());
        topK = s.topK();
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) {
        List<String> texts = rows.stream().map(r -> r.value(0)).toList();
        List<ObjectNode> out = new ArrayList<>();
        for (FillMaskResult r : pipeline.fill(texts, topK)) {
            out.add(toJson(r));
        }
        return out;
    }

    /** The CLI's JSON of one text. */
    static ObjectNode toJson(FillMaskResult r) {
        ObjectNode o = JsonFields.object();
        o.put("text", r.text());
        ArrayNode masks = o.putArray("masks");
        for (FillMaskResult.MaskPrediction p : r.masks()) {
            ObjectNode m = masks.addObject();
            m.put("position", p.position());
            ArrayNode candidates = m.putArray("candidates");
            for (TokenScore c : p.candidates()) {
                candidates
                        .addObject()
                        .put("token_id", c.tokenId())
                        .put("token", c.token())
                        .put("score", c.score());
            }
        }
        ArrayNode filled = o.putArray("filled_texts");
        r.filledTexts().forEach(filled::add);
        return o;
    }

    @Override
    public void close() {
        folder.close();
        manager.close();
    }
}
