package dev.perceiver.inference.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.audio.SymbolicAudioOptions;
import dev.perceiver.inference.audio.SymbolicAudioResult;
import dev.perceiver.inference.text.FillMaskResult;
import dev.perceiver.inference.text.GeneratedText;
import dev.perceiver.inference.text.TokenScore;
import dev.perceiver.inference.vision.FlowField;
import java.util.List;

/**
 * The JSON form of the pipelines' results, one mapping shared by the command line's {@code --json} output and the
 * HTTP server, so that both print the same fields with the same names.
 */
public final class ResultJson {
    /** The mapper the results are built with. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private ResultJson() {}

    /**
     * A generated text: {@code prompt, generated_text, full_text, tokens, stopped_at_eos, strategy} and, when
     * sampling, {@code seed}.
     *
     * @param seed the sampling seed, or null for greedy generation
     */
    public static ObjectNode generated(GeneratedText r, Long seed) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("prompt", r.prompt());
        o.put("generated_text", r.generatedText());
        o.put("full_text", r.fullText());
        ArrayNode tokens = o.putArray("tokens");
        for (long t : r.tokens()) {
            tokens.add(t);
        }
        o.put("stopped_at_eos", r.stoppedAtEos());
        o.put("strategy", seed != null ? "sample" : "greedy");
        if (seed != null) {
            o.put("seed", seed);
        }
        return o;
    }

    /** A fill-mask result: {@code text, masks[{position, candidates[{token_id, token, score}]}], filled_texts}. */
    public static ObjectNode fillMask(FillMaskResult r) {
        ObjectNode o = MAPPER.createObjectNode();
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

    /**
     * A classification: {@code {key: subject, labels: [{label, index, score}]}}.
     *
     * @param key "text" or "image"
     * @param subject the text, or the image's name
     */
    public static ObjectNode labels(String key, String subject, List<LabelScore> scores) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put(key, subject);
        ArrayNode labels = o.putArray("labels");
        for (LabelScore s : scores) {
            labels.addObject().put("label", s.label()).put("index", s.index()).put("score", s.score());
        }
        return o;
    }

    /**
     * Shape and statistics of a flow field: {@code shape [h, w, 2], u, v {min, max, mean}, magnitude {mean, max},
     * finite_vectors}; non-finite statistics are null.
     */
    public static ObjectNode flowStats(FlowField flow) {
        FlowField.Stats s = flow.stats();
        ObjectNode o = MAPPER.createObjectNode();
        o.putArray("shape").add(flow.height()).add(flow.width()).add(2);
        ObjectNode u = o.putObject("u");
        put(u, "min", s.uMin());
        put(u, "max", s.uMax());
        put(u, "mean", s.uMean());
        ObjectNode v = o.putObject("v");
        put(v, "min", s.vMin());
        put(v, "max", s.vMax());
        put(v, "mean", s.vMean());
        ObjectNode m = o.putObject("magnitude");
        put(m, "mean", s.magnitudeMean());
        put(m, "max", s.magnitudeMax());
        o.put("finite_vectors", s.count());
        return o;
    }

    /**
     * A symbolic audio result without its file paths: token counts, sampling options, notes, duration and {@code
     * generated_token_ids}.
     */
    public static ObjectNode audio(SymbolicAudioResult r, SymbolicAudioOptions o) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("prompt_file_tokens", r.promptFileTokens());
        node.put("prompt_tokens", r.promptTokens().length);
        node.put("generated_tokens", r.generatedTokens().length);
        node.put("num_latents", r.numLatents());
        node.put("do_sample", o.doSample());
        node.put("top_p", o.topP());
        node.put("top_k", o.topK());
        node.put("temperature", o.temperature());
        node.put("seed", r.seed());
        node.put("includes_prompt", r.includesPrompt());
        node.put("notes", r.numNotes());
        node.put("duration_seconds", r.durationSeconds());
        ArrayNode ids = node.putArray("generated_token_ids");
        for (int id : r.generatedTokens()) {
            ids.add(id);
        }
        return node;
    }

    /** The node as one line of JSON. */
    public static String line(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(ObjectNode o, String key, double value) {
        if (Double.isFinite(value)) {
            o.put(key, value);
        } else {
            o.putNull(key);
        }
    }
}
