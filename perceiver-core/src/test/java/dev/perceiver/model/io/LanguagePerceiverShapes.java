package dev.perceiver.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state-dict keys and shapes of Hugging Face {@code PerceiverForMaskedLM} (the layout of {@code
 * deepmind/language-perceiver}) for a {@code PerceiverConfig}, in the order {@code state_dict()} lists them; the
 * decoder's query/key channels (8 heads of 32) and its value channels ({@code d_model}) are fixed by the model class.
 */
final class LanguagePerceiverShapes {
    private LanguagePerceiverShapes() {}

    /** The shapes for a config.json of {@code model_type: "perceiver"}. */
    static Map<String, long[]> of(JsonNode config) {
        return of(
                config.get("vocab_size").asLong(),
                config.get("max_position_embeddings").asLong(),
                config.get("d_model").asLong(),
                config.get("d_latents").asLong(),
                config.get("num_latents").asLong(),
                config.get("qk_channels").asLong(),
                config.get("v_channels").asLong(),
                config.get("cross_attention_widening_factor").asLong(),
                config.get("self_attention_widening_factor").asLong(),
                config.get("num_self_attends_per_block").asInt());
    }

    /** The shapes of the published {@code deepmind/language-perceiver} (201,108,230 parameters). */
    static Map<String, long[]> published() {
        return of(262, 2048, 768, 1280, 256, 256, 1280, 1, 1, 26);
    }

    static Map<String, long[]> of(
            long vocab,
            long positions,
            long dModel,
            long dLatents,
            long numLatents,
            long qk,
            long v,
            long crossWidening,
            long selfWidening,
            int selfAttends) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("perceiver.input_preprocessor.embeddings.weight", new long[] {vocab, dModel});
        s.put("perceiver.input_preprocessor.position_embeddings.weight", new long[] {positions, dModel});
        s.put("perceiver.embeddings.latents", new long[] {numLatents, dLatents});
        attention(s, "perceiver.encoder.cross_attention.", dLatents, dModel, qk, v, dLatents, crossWidening, true);
        for (int i = 0; i < selfAttends; i++) {
            attention(
                    s, "perceiver.encoder.self_attends." + i + ".", dLatents, dLatents, qk, v, v, selfWidening, false);
        }
        s.put("perceiver.decoder.output_position_encodings.position_embeddings", new long[] {positions, dModel});
        attention(s, "perceiver.decoder.decoding_cross_attention.", dModel, dLatents, 8 * 32, dModel, dModel, 1, true);
        s.put("embedding_decoder.bias", new long[] {vocab});
        return s;
    }

    private static void attention(
            Map<String, long[]> s, String p, long q, long kv, long qk, long v, long out, long widening, boolean cross) {
        String a = p + "attention.self.";
        s.put(a + "layernorm1.weight", new long[] {q});
        s.put(a + "layernorm1.bias", new long[] {q});
        if (cross) {
            s.put(a + "layernorm2.weight", new long[] {kv});
            s.put(a + "layernorm2.bias", new long[] {kv});
        }
        s.put(a + "query.weight", new long[] {qk, q});
        s.put(a + "query.bias", new long[] {qk});
        s.put(a + "key.weight", new long[] {qk, kv});
        s.put(a + "key.bias", new long[] {qk});
        s.put(a + "value.weight", new long[] {v, kv});
        s.put(a + "value.bias", new long[] {v});
        s.put(p + "attention.output.dense.weight", new long[] {out, v});
        s.put(p + "attention.output.dense.bias", new long[] {out});
        s.put(p + "layernorm.weight", new long[] {out});
        s.put(p + "layernorm.bias", new long[] {out});
        s.put(p + "mlp.dense1.weight", new long[] {out * widening, out});
        s.put(p + "mlp.dense1.bias", new long[] {out * widening});
        s.put(p + "mlp.dense2.weight", new long[] {out, out * widening});
        s.put(p + "mlp.dense2.bias", new long[] {out});
    }

    /** The number of parameters of a shape map. */
    static long count(Map<String, long[]> shapes) {
        long n = 0;
        for (long[] shape : shapes.values()) {
            long k = 1;
            for (long d : shape) {
                k *= d;
            }
            n += k;
        }
        return n;
    }
}
