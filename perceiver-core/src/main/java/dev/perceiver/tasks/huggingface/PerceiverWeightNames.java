package dev.perceiver.tasks.huggingface;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face {@code transformers}' Perceiver parameter names as the state-dict keys of the same model here (the
 * reference's names), per architecture. A name it does not know is returned unchanged, so strict loading reports it.
 *
 * <p>Layers: {@code perceiver.encoder.cross_attention} -> {@code 0.cross_attn_1} (query residual),
 * {@code perceiver.encoder.self_attends.i} -> {@code 0.self_attn_1.i} (transformers applies its one block
 * {@code num_blocks} times: a shared block here), the decoder's {@code decoding_cross_attention} ->
 * {@code 1.cross_attn}. Inside a layer: {@code attention.self.layernorm1/layernorm2/query/key/value} ->
 * {@code q_norm} (or {@code norm} in self-attention), {@code kv_norm}, {@code attention.q_proj/k_proj/v_proj};
 * {@code attention.output.dense} -> {@code attention.o_proj}; {@code layernorm}, {@code mlp.dense1},
 * {@code mlp.dense2} -> the MLP's {@code 0}, {@code 1}, {@code 3}.
 */
final class PerceiverWeightNames {
    private static final Pattern SELF_ATTENDS = Pattern.compile("perceiver\\.encoder\\.self_attends\\.(\\d+)\\.(.+)");
    private static final String ENCODER_CROSS = "perceiver.encoder.cross_attention.";

    /** Task-specific names: exact HF prefix -> our prefix. */
    private final Map<String, String> prefixes;
    /** HF prefix of the decoder's modules ({@code perceiver.decoder.} or {@code perceiver.decoder.decoder.}). */
    private final String decoder;

    private final boolean decoderResidual;

    private PerceiverWeightNames(Map<String, String> prefixes, String decoder, boolean decoderResidual) {
        this.prefixes = prefixes;
        this.decoder = decoder;
        this.decoderResidual = decoderResidual;
    }

    private static Map<String, String> textInput() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("perceiver.input_preprocessor.embeddings.", "0.input_adapter.txt_embedding.");
        m.put("perceiver.input_preprocessor.position_embeddings.", "0.input_adapter.pos_embedding.");
        return m;
    }

    /** {@code PerceiverForMaskedLM}: the decoder has no query residual; logits use the input embedding and a bias. */
    static PerceiverWeightNames maskedLanguageModel() {
        Map<String, String> m = textInput();
        m.put("embedding_decoder.bias", "1.output_adapter.bias");
        return new PerceiverWeightNames(m, "perceiver.decoder.", false);
    }

    /** {@code PerceiverForSequenceClassification}. */
    static PerceiverWeightNames textClassifier() {
        return new PerceiverWeightNames(textInput(), "perceiver.decoder.decoder.", true);
    }

    /** {@code PerceiverForImageClassificationFourier}: no preprocessor parameters (fixed Fourier features). */
    static PerceiverWeightNames imageClassifier() {
        return new PerceiverWeightNames(Map.of(), "perceiver.decoder.decoder.", true);
    }

    /** {@code PerceiverForOpticalFlow}: the patch projection; queries are the encoder input (no parameters). */
    static PerceiverWeightNames opticalFlow() {
        return new PerceiverWeightNames(
                Map.of("perceiver.input_preprocessor.conv_after_patches.", "0.input_adapter.linear."),
                "perceiver.decoder.decoder.",
                false);
    }

    /**
     * {@code PerceiverForMultimodalAutoencoding}: the preprocessor's padding and mask tokens, the decoder's label query
     * and padding, its final layer, and the per-modality postprocessors keep their names under our children; the
     * shared decoder cross-attention has no query residual.
     */
    static PerceiverWeightNames multimodalAutoencoder() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("perceiver.input_preprocessor.", "input_preprocessor.");
        for (String modality : new String[] {"audio", "image", "label"}) {
            m.put(
                    "perceiver.output_postprocessor.modalities." + modality + ".classifier.",
                    "output_postprocessor." + modality + ".");
        }
        m.put(
                "perceiver.decoder.modalities.label.decoder.output_position_encodings.position_embeddings",
                "1.label_query._query");
        m.put("perceiver.decoder.padding.", "1.padding.");
        m.put("perceiver.decoder.decoder.final_layer.", "1.final_layer.");
        return new PerceiverWeightNames(m, "perceiver.decoder.decoder.", false);
    }

    /** The state-dict key of a transformers parameter name, or the name itself when it is not one of this model's. */
    String stateDictKey(String name) {
        for (Map.Entry<String, String> e : prefixes.entrySet()) {
            if (name.startsWith(e.getKey())) {
                return e.getValue() + name.substring(e.getKey().length());
            }
        }
        if (name.equals("perceiver.embeddings.latents")) {
            return "0.latent_provider._query";
        }
        String mapped = null;
        if (name.startsWith(ENCODER_CROSS)) {
            mapped = crossAttentionLayer("0.cross_attn_1.", name.substring(ENCODER_CROSS.length()), true);
        }
        Matcher m = SELF_ATTENDS.matcher(name);
        if (m.matches()) {
            mapped = selfAttentionLayer("0.self_attn_1." + m.group(1) + ".", m.group(2));
        }
        if (name.startsWith(decoder + "decoding_cross_attention.")) {
            String rest = name.substring((decoder + "decoding_cross_attention.").length());
            mapped = crossAttentionLayer("1.cross_attn.", rest, decoderResidual);
        }
        if (name.equals(decoder + "output_position_encodings.position_embeddings")) {
            mapped = "1.output_query_provider._query";
        }
        if (name.startsWith(decoder + "final_layer.")) {
            mapped = "1.output_adapter.linear." + name.substring((decoder + "final_layer.").length());
        }
        return mapped == null ? name : mapped;
    }

    private static String crossAttentionLayer(String prefix, String rest, boolean residual) {
        String attention = prefix + "0." + (residual ? "module." : "");
        String r = replacePrefix(rest, "attention.self.layernorm1.", attention + "q_norm.");
        r = r != null ? r : replacePrefix(rest, "attention.self.layernorm2.", attention + "kv_norm.");
        r = r != null ? r : projections(rest, attention + "attention.");
        r = r != null ? r : mlp(prefix, rest);
        return r;
    }

    private static String selfAttentionLayer(String prefix, String rest) {
        String attention = prefix + "0.module.";
        String r = replacePrefix(rest, "attention.self.layernorm1.", attention + "norm.");
        r = r != null ? r : projections(rest, attention + "attention.");
        r = r != null ? r : mlp(prefix, rest);
        return r;
    }

    private static String projections(String rest, String attention) {
        String r = replacePrefix(rest, "attention.self.query.", attention + "q_proj.");
        r = r != null ? r : replacePrefix(rest, "attention.self.key.", attention + "k_proj.");
        r = r != null ? r : replacePrefix(rest, "attention.self.value.", attention + "v_proj.");
        r = r != null ? r : replacePrefix(rest, "attention.output.dense.", attention + "o_proj.");
        return r;
    }

    private static String mlp(String prefix, String rest) {
        String r = replacePrefix(rest, "layernorm.", prefix + "1.module.0.");
        r = r != null ? r : replacePrefix(rest, "mlp.dense1.", prefix + "1.module.1.");
        r = r != null ? r : replacePrefix(rest, "mlp.dense2.", prefix + "1.module.3.");
        return r;
    }

    private static String replacePrefix(String name, String from, String to) {
        return name.startsWith(from) ? to + name.substring(from.length()) : null;
    }
}
