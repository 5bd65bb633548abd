package dev.perceiver.tasks.huggingface;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face {@code transformers}' Perceiver parameter names and the state-dict keys of the same model here (the
 * reference's names), per architecture, in both directions. A name it does not know is returned unchanged, so strict
 * loading reports it.
 *
 * <p>Layers: {@code perceiver.encoder.cross_attention} -> {@code 0.cross_attn_1} (query residual),
 * {@code perceiver.encoder.self_attends.i} -> {@code 0.self_attn_1.i} (transformers applies its one block
 * {@code num_blocks} times: a shared block here), the decoder's {@code decoding_cross_attention} ->
 * {@code 1.cross_attn}. Inside a layer: {@code attention.self.layernorm1/layernorm2/query/key/value} ->
 * {@code q_norm} (or {@code norm} in self-attention), {@code kv_norm}, {@code attention.q_proj/k_proj/v_proj};
 * {@code attention.output.dense} -> {@code attention.o_proj}; {@code layernorm}, {@code mlp.dense1},
 * {@code mlp.dense2} -> the MLP's {@code 0}, {@code 1}, {@code 3}. Image preprocessors: {@code convnet_1x1},
 * {@code position_embeddings.position_embeddings}, {@code positions_projection} (learned) and
 * {@code convnet.conv}, {@code convnet.batchnorm} (conv) -> the input adapter's {@code conv},
 * {@code position_embedding}, {@code position_projection}, {@code downsample.conv}, {@code downsample.batch_norm}.
 */
final class PerceiverWeightNames {
    private static final String PREPROCESSOR = "perceiver.input_preprocessor.";
    private static final String ADAPTER = "0.input_adapter.";

    /**
     * One correspondence of names: a prefix on each side (a whole name where it does not end with a dot), where
     * {@code {i}} stands for the same layer index on both sides.
     */
    private record Rule(Pattern hf, String hfTemplate, Pattern ours, String oursTemplate) {
        static Rule of(String hf, String ours) {
            return new Rule(pattern(hf), hf, pattern(ours), ours);
        }

        private static Pattern pattern(String template) {
            StringBuilder r = new StringBuilder();
            String[] parts = template.split("\\{i}", -1);
            for (int k = 0; k < parts.length; k++) {
                r.append(Pattern.quote(parts[k]));
                if (k < parts.length - 1) {
                    r.append("(\\d+)");
                }
            }
            return Pattern.compile(r.append(template.endsWith(".") ? "" : "$").toString());
        }

        /** The name mapped from {@code from} to {@code to}, or null when the rule does not apply. */
        static String apply(String name, Pattern from, String to) {
            Matcher m = from.matcher(name);
            if (!m.lookingAt()) {
                return null;
            }
            String head = m.groupCount() > 0 ? to.replace("{i}", m.group(1)) : to;
            return head + name.substring(m.end());
        }
    }

    private final List<Rule> rules = new ArrayList<>();

    private PerceiverWeightNames(String decoder, boolean decoderResidual) {
        rules.add(Rule.of("perceiver.embeddings.latents", "0.latent_provider._query"));
        layer("perceiver.encoder.cross_attention.", "0.cross_attn_1.", true, true);
        layer("perceiver.encoder.self_attends.{i}.", "0.self_attn_1.{i}.", false, true);
        layer(decoder + "decoding_cross_attention.", "1.cross_attn.", true, decoderResidual);
        rules.add(Rule.of(decoder + "output_position_encodings.position_embeddings", "1.output_query_provider._query"));
        rules.add(Rule.of(decoder + "final_layer.", "1.output_adapter.linear."));
    }

    private PerceiverWeightNames with(String hf, String ours) {
        rules.add(Rule.of(hf, ours));
        return this;
    }

    /** A rule tried before every other (a name the standard layers would map differently). */
    private PerceiverWeightNames first(String hf, String ours) {
        rules.add(0, Rule.of(hf, ours));
        return this;
    }

    private void layer(String hf, String ours, boolean cross, boolean residual) {
        String attention = ours + "0." + (residual ? "module." : "");
        rules.add(Rule.of(hf + "attention.self.layernorm1.", attention + (cross ? "q_norm." : "norm.")));
        if (cross) {
            rules.add(Rule.of(hf + "attention.self.layernorm2.", attention + "kv_norm."));
        }
        rules.add(Rule.of(hf + "attention.self.query.", attention + "attention.q_proj."));
        rules.add(Rule.of(hf + "attention.self.key.", attention + "attention.k_proj."));
        rules.add(Rule.of(hf + "attention.self.value.", attention + "attention.v_proj."));
        rules.add(Rule.of(hf + "attention.output.dense.", attention + "attention.o_proj."));
        rules.add(Rule.of(hf + "layernorm.", ours + "1.module.0."));
        rules.add(Rule.of(hf + "mlp.dense1.", ours + "1.module.1."));
        rules.add(Rule.of(hf + "mlp.dense2.", ours + "1.module.3."));
    }

    private static PerceiverWeightNames textInput(String decoder, boolean decoderResidual) {
        return new PerceiverWeightNames(decoder, decoderResidual)
                .with(PREPROCESSOR + "embeddings.", ADAPTER + "txt_embedding.")
                .with(PREPROCESSOR + "position_embeddings.", ADAPTER + "pos_embedding.");
    }

    /** {@code PerceiverForMaskedLM}: the decoder has no query residual; logits use the input embedding and a bias. */
    static PerceiverWeightNames maskedLanguageModel() {
        return textInput("perceiver.decoder.", false).with("embedding_decoder.bias", "1.output_adapter.bias");
    }

    /** {@code PerceiverForSequenceClassification}. */
    static PerceiverWeightNames textClassifier() {
        return textInput("perceiver.decoder.decoder.", true);
    }

    /** {@code PerceiverForImageClassificationFourier}: no preprocessor parameters (fixed Fourier features). */
    static PerceiverWeightNames imageClassifier() {
        return new PerceiverWeightNames("perceiver.decoder.decoder.", true);
    }

    /** {@code PerceiverForImageClassificationLearned}: 1 x 1 convolution, learned position embedding, projection. */
    static PerceiverWeightNames imageClassifierLearned() {
        return imageClassifier()
                .with(PREPROCESSOR + "convnet_1x1.", ADAPTER + "conv.")
                .with(PREPROCESSOR + "position_embeddings.position_embeddings", ADAPTER + "position_embedding")
                .with(PREPROCESSOR + "positions_projection.", ADAPTER + "position_projection.");
    }

    /** {@code PerceiverForImageClassificationConvProcessing}: the conv stem (convolution and batch norm). */
    static PerceiverWeightNames imageClassifierConv() {
        return imageClassifier()
                .with(PREPROCESSOR + "convnet.conv.", ADAPTER + "downsample.conv.")
                .with(PREPROCESSOR + "convnet.batchnorm.", ADAPTER + "downsample.batch_norm.");
    }

    /** {@code PerceiverForOpticalFlow}: the patch projection; queries are the encoder input (no parameters). */
    static PerceiverWeightNames opticalFlow() {
        return new PerceiverWeightNames("perceiver.decoder.decoder.", false)
                .with(PREPROCESSOR + "conv_after_patches.", ADAPTER + "linear.");
    }

    /**
     * {@code PerceiverForMultimodalAutoencoding}: the preprocessor's padding and mask tokens, the decoder's label query
     * and padding, its final layer, and the per-modality postprocessors keep their names under our children; the
     * shared decoder cross-attention has no query residual.
     */
    static PerceiverWeightNames multimodalAutoencoder() {
        PerceiverWeightNames names = new PerceiverWeightNames("perceiver.decoder.decoder.", false)
                .first("perceiver.decoder.decoder.final_layer.", "1.final_layer.")
                .first("perceiver.decoder.padding.", "1.padding.")
                .first(
                        "perceiver.decoder.modalities.label.decoder.output_position_encodings.position_embeddings",
                        "1.label_query._query")
                .first(PREPROCESSOR, "input_preprocessor.");
        for (String modality : new String[] {"audio", "image", "label"}) {
            names.first(
                    "perceiver.output_postprocessor.modalities." + modality + ".classifier.",
                    "output_postprocessor." + modality + ".");
        }
        return names;
    }

    /** The state-dict key of a transformers parameter name, or the name itself when it is not one of this model's. */
    String stateDictKey(String name) {
        for (Rule r : rules) {
            String mapped = Rule.apply(name, r.hf(), r.oursTemplate());
            if (mapped != null) {
                return mapped;
            }
        }
        return name;
    }

    /** The transformers parameter name of a state-dict key, or null when transformers' model has no such weight. */
    String huggingFaceName(String key) {
        for (Rule r : rules) {
            String mapped = Rule.apply(key, r.ours(), r.hfTemplate());
            if (mapped != null) {
                return mapped;
            }
        }
        return null;
    }
}
