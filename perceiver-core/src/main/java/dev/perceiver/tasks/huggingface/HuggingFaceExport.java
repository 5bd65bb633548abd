package dev.perceiver.tasks.huggingface;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.ModelConfig;
import dev.perceiver.model.config.OpticalFlowDecoderConfig;
import dev.perceiver.model.config.OpticalFlowEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.model.io.StateDicts;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A model in Hugging Face {@code transformers}' own Perceiver layout, where that layout expresses it: the
 * {@code config.json} of a {@code PerceiverConfig} ({@code model_type: "perceiver"}, {@code architectures}) and the
 * weights under transformers' parameter names. The config is chosen among the transformers classes that load as
 * the model's kind and the ways {@code PerceiverConfig} sets attention channels ({@code qk_channels},
 * {@code v_channels}, {@code cross_attention_shape_for_attention}); a choice is accepted only when the model it
 * describes, built here from it, has exactly the model's weights (names and shapes), attention heads, self-attention
 * block count and task settings. This costs one extra, freshly initialised copy of the weights while it runs.
 */
public final class HuggingFaceExport {
    private HuggingFaceExport() {}

    /**
     * The model in transformers' layout.
     *
     * @param kind the transformers class the folder names
     * @param config the whole {@code config.json}
     * @param weights transformers' parameter names -> tensors (derived buffers such as fixed Fourier features are
     *     left out, as transformers computes them)
     * @param names state-dict key -> transformers' name, for every weight written
     */
    public record Exported(
            ModelKind<?, ?> kind, ObjectNode config, Map<String, TensorData> weights, Map<String, String> names) {}

    /**
     * Expresses a model in transformers' layout.
     *
     * @param id2label class labels of a classifier (config.json's {@code id2label}), or null for {@code LABEL_i}
     * @throws IllegalArgumentException if no transformers Perceiver class computes this model; the message names the
     *     model and the first difference found for each class tried
     */
    public static Exported export(Module model, JsonNode id2label) {
        ModelKind<?, ?> own = ModelKinds.installed().forModel(model);
        Map<String, String> target = signature(model);
        List<String> tried = new ArrayList<>();
        for (ModelKind<?, ?> kind : HuggingFaceModelKinds.KINDS) {
            if (kind.savedAs() != own) {
                continue;
            }
            for (Attention a : attentionChoices(model)) {
                ObjectNode config;
                try {
                    config = config(typed(own, model), model, kind.architecture(), a, id2label);
                } catch (IllegalArgumentException e) {
                    tried.add(kind.architecture() + ": " + e.getMessage());
                    break;
                }
                String difference = difference(target, kind, config);
                if (difference == null) {
                    Map<String, String> names = new LinkedHashMap<>();
                    Map<String, TensorData> weights = weights(model, HuggingFaceModelKinds.NAMES.get(kind), names);
                    return new Exported(kind, config, weights, names);
                }
                if (!tried.contains(kind.architecture() + ": " + difference)) {
                    tried.add(kind.architecture() + ": " + difference);
                }
            }
        }
        if (tried.isEmpty()) {
            throw new IllegalArgumentException("model_type " + own.modelType()
                    + " has no Hugging Face transformers Perceiver class (the layout cannot express it)");
        }
        throw new IllegalArgumentException("this " + own.modelType() + " model is not one that transformers computes ("
                + String.join("; ", tried) + ")");
    }

    private static <C extends ModelConfig, M extends Module> ModelConfig typed(ModelKind<C, M> kind, Module model) {
        return kind.config(kind.cast(model));
    }

    /** One way of setting the attention channels in a {@code PerceiverConfig}. */
    private record Attention(Integer qk, Integer v, String shape) {}

    private static List<Attention> attentionChoices(Module model) {
        List<Attention> out = new ArrayList<>(List.of(new Attention(null, null, "kv"), new Attention(null, null, "q")));
        MultiHeadAttention self = find(model, "0.self_attn_1.0.0.module.attention");
        if (self != null) {
            out.add(new Attention(self.numQkChannels(), self.numVChannels(), "kv"));
        }
        return out;
    }

    private static MultiHeadAttention find(Module m, String path) {
        Module cur = m;
        for (String part : path.split("\\.")) {
            cur = cur.children().get(part);
            if (cur == null) {
                return null;
            }
        }
        return cur instanceof MultiHeadAttention a ? a : null;
    }

    /** The {@code PerceiverConfig} of a model for one transformers class and attention setting. */
    private static ObjectNode config(
            ModelConfig typed, Module model, String architecture, Attention a, JsonNode id2label) {
        if (!(typed instanceof PerceiverIOConfig<?, ?> c)) {
            throw new IllegalArgumentException("not a Perceiver IO model");
        }
        ObjectNode hf = ConfigJson.MAPPER.createObjectNode();
        hf.putArray("architectures").add(architecture);
        hf.put("model_type", HuggingFaceModelKinds.MODEL_TYPE);
        hf.put("num_latents", c.numLatents());
        hf.put("d_latents", c.numLatentChannels());
        EncoderConfig e = encoderBase(c.encoder());
        hf.put("d_model", ((PerceiverIO) model).encoder().inputAdapter().numInputChannels());
        hf.put("num_blocks", e.numSelfAttentionBlocks());
        hf.put("num_self_attends_per_block", e.numSelfAttentionLayersPerBlock());
        hf.put("num_self_attention_heads", e.numSelfAttentionHeads());
        hf.put("num_cross_attention_heads", e.numCrossAttentionHeads());
        putNullable(hf, "qk_channels", a.qk());
        putNullable(hf, "v_channels", a.v());
        hf.put("cross_attention_shape_for_attention", a.shape());
        hf.put("self_attention_widening_factor", e.selfAttentionWideningFactor());
        hf.put("cross_attention_widening_factor", e.crossAttentionWideningFactor());
        hf.put("hidden_act", "gelu");
        hf.put("attention_probs_dropout_prob", e.dropout());
        hf.put("initializer_range", e.initScale());
        hf.put("use_query_residual", true);
        hf.put("torch_dtype", "float32");
        if (c.encoder() instanceof TextEncoderConfig t) {
            hf.put("vocab_size", t.vocabSize());
            hf.put("max_position_embeddings", t.maxSeqLen());
        }
        if (c.encoder() instanceof ImageEncoderConfig i) {
            hf.put("image_size", i.imageShape()[0]);
        }
        if (c.encoder() instanceof OpticalFlowEncoderConfig f) {
            hf.putArray("train_size").add(f.imageShape()[0]).add(f.imageShape()[1]);
        }
        if (c.decoder() instanceof dev.perceiver.model.config.ClassificationDecoderConfig d) {
            labels(hf, d.numClasses(), id2label);
        }
        return hf;
    }

    private static EncoderConfig encoderBase(Object encoder) {
        if (encoder instanceof TextEncoderConfig t) {
            return t.base();
        }
        if (encoder instanceof ImageEncoderConfig i) {
            return i.base();
        }
        if (encoder instanceof OpticalFlowEncoderConfig f) {
            return f.base();
        }
        throw new IllegalArgumentException(
                "encoder " + encoder.getClass().getSimpleName() + " has no transformers form");
    }

    /** {@code id2label} / {@code label2id} of {@code n} classes: the given labels where they fit, else LABEL_i. */
    private static void labels(ObjectNode hf, int n, JsonNode id2label) {
        boolean fits = id2label != null && id2label.isObject() && id2label.size() == n;
        ObjectNode ids = hf.putObject("id2label");
        ObjectNode names = hf.putObject("label2id");
        for (int i = 0; i < n; i++) {
            JsonNode v = fits ? id2label.get(Integer.toString(i)) : null;
            String label = v == null || v.isNull() ? "LABEL_" + i : v.asText();
            ids.put(Integer.toString(i), label);
            names.put(label, i);
        }
        if (names.size() != n) {
            // duplicate labels: transformers counts classes from id2label, so keep them apart
            throw new IllegalArgumentException("id2label has duplicate labels; transformers needs " + n + " distinct");
        }
    }

    private static void putNullable(ObjectNode o, String name, Integer value) {
        if (value == null) {
            o.putNull(name);
        } else {
            o.put(name, value);
        }
    }

    /**
     * What decides a model's outputs besides its weights' values: every state-dict key with its shape, the heads of
     * every attention, the self-attention block count and the task settings that have no weights.
     */
    static Map<String, String> signature(Module model) {
        Map<String, String> s = new TreeMap<>();
        model.stateDict().forEach((k, p) -> s.put(k, p.shape().toString()));
        heads("", model, s);
        ModelConfig typed = typed(ModelKinds.installed().forModel(model), model);
        if (typed instanceof PerceiverIOConfig<?, ?> c) {
            s.put(
                    "(num_self_attention_blocks)",
                    Integer.toString(encoderBase(c.encoder()).numSelfAttentionBlocks()));
            if (c.encoder() instanceof ImageEncoderConfig i) {
                s.put("(preprocessing)", i.preprocessing().toString());
                s.put("(num_frequency_bands)", Integer.toString(i.numFrequencyBands()));
                s.put("(image_shape)", java.util.Arrays.toString(i.imageShape()));
            }
            if (c.decoder() instanceof OpticalFlowDecoderConfig d) {
                s.put("(rescale_factor)", Double.toString(d.rescaleFactor()));
            }
        }
        return s;
    }

    private static void heads(String path, Module m, Map<String, String> s) {
        if (m instanceof MultiHeadAttention a) {
            s.put(path + "(heads)", Integer.toString(a.numHeads()));
        }
        m.children().forEach((name, child) -> heads(path + name + ".", child, s));
    }

    /** The first difference between a signature and that of the model a transformers config describes, or null. */
    private static String difference(Map<String, String> target, ModelKind<?, ?> kind, ObjectNode config) {
        Map<String, String> candidate;
        try (NDManager tmp = NDManager.newBaseManager()) {
            candidate = signature(kind.createFromJson(tmp, kind.modelConfig(config)));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        for (Map.Entry<String, String> e : target.entrySet()) {
            String other = candidate.get(e.getKey());
            if (!Objects.equals(other, e.getValue())) {
                return e.getKey() + " is " + e.getValue() + " here, " + (other == null ? "absent" : other) + " there";
            }
        }
        for (String k : candidate.keySet()) {
            if (!target.containsKey(k)) {
                return k + " is absent here";
            }
        }
        return null;
    }

    /** The model's weights under transformers' names, derived buffers left out. */
    private static Map<String, TensorData> weights(
            Module model, PerceiverWeightNames names, Map<String, String> mapped) {
        Map<String, Parameter> params = model.stateDict();
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : StateDicts.toTensors(model, "").entrySet()) {
            if (params.get(e.getKey()).isDerived()) {
                continue;
            }
            String name = names.huggingFaceName(e.getKey());
            if (name == null) {
                throw new IllegalArgumentException("weight " + e.getKey() + " has no transformers name");
            }
            out.put(name, e.getValue());
            mapped.put(e.getKey(), name);
        }
        return out;
    }
}
