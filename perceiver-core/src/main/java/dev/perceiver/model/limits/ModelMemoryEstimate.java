package dev.perceiver.model.limits;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A coarse estimate of the engine memory a model config asks for, computed from the config's JSON before the model
 * is built: every size field (vocabulary, sequence length, classes, latents, image positions) times the widest
 * channel count, plus the attention and MLP weights (channels^2 x widening x layers), 4 bytes per value. It is an
 * order-of-magnitude check that catches a hostile or mistyped field, not an accounting: the field contributing most
 * is named in the message.
 */
public final class ModelMemoryEstimate {
    private static final Set<String> ROW_FIELDS = Set.of(
            "vocab_size",
            "max_seq_len",
            "num_classes",
            "num_labels",
            "num_latents",
            "max_latents",
            "num_output_queries",
            "max_position_embeddings");
    private static final Set<String> CHANNEL_FIELDS = Set.of("d_model", "d_latents", "hidden_size");
    private static final Set<String> SHAPE_FIELDS = Set.of("image_shape", "image_size", "train_size");

    private double channels = 1;
    private double widening = 1;
    private double layers = 1;
    private double frequencyBands;
    private double total;
    private double largest;
    private String culprit = "model_config";

    private ModelMemoryEstimate() {}

    /**
     * Checks a model config against {@link MemoryBudget#nativeBudget()}.
     *
     * @param modelConfig the {@code model_config} object (or a Hugging Face config.json)
     * @throws IllegalArgumentException naming the field contributing most and the estimate, when over budget
     */
    public static void check(JsonNode modelConfig) {
        ModelMemoryEstimate e = estimate(modelConfig);
        MemoryBudget.checkNative(e.culprit, "the model's parameters and buffers", e.bytes());
    }

    /** The estimate in bytes ({@code Long.MAX_VALUE} when it overflows). */
    public static long bytes(JsonNode modelConfig) {
        return estimate(modelConfig).bytes();
    }

    /**
     * Checks that a batch of {@code batchSize} examples fits: activations kept for the backward pass (input
     * projections, cross-attention scores, latent layers, output logits), estimated per example from the config.
     *
     * @param field the batch size option for the message (e.g. {@code data.batch_size})
     * @throws IllegalArgumentException naming the option, its value and the estimate, when over budget
     */
    public static void checkBatch(JsonNode modelConfig, String field, int batchSize) {
        double perExample = activationValues(modelConfig) * 4;
        double total = perExample * batchSize;
        long bytes = total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) total;
        MemoryBudget.checkNative(
                field + " (" + batchSize + ")",
                "training batches of about " + MemoryBudget.format((long) perExample) + " of activations per example",
                bytes);
    }

    /** Values (floats) of activations one training example keeps, from the config's sizes. */
    static double activationValues(JsonNode modelConfig) {
        ModelMemoryEstimate e = new ModelMemoryEstimate();
        e.scanScales(modelConfig, 0);
        Map<String, Double> max = new java.util.HashMap<>();
        maxima(modelConfig, max, 0);
        double positions = Math.max(
                max.getOrDefault("image_positions", 0.0),
                Math.max(max.getOrDefault("max_seq_len", 0.0), max.getOrDefault("max_position_embeddings", 1.0)));
        double latents =
                Math.max(1, Math.max(max.getOrDefault("num_latents", 0.0), max.getOrDefault("max_latents", 0.0)));
        double heads = Math.max(1, max.getOrDefault("heads", 1.0));
        double outputs = Math.max(1, Math.max(max.getOrDefault("num_output_queries", 0.0), positions));
        double classes = Math.max(
                max.getOrDefault("vocab_size", 0.0),
                Math.max(max.getOrDefault("num_classes", 0.0), max.getOrDefault("num_labels", 1.0)));
        double d = e.channels;
        return 6 * positions * d
                + 3 * heads * latents * positions
                + e.layers * (latents * d * (8 + 2 * e.widening) + 3 * heads * latents * latents)
                + 3 * outputs * classes
                + 6 * outputs * d;
    }

    private static void maxima(JsonNode node, Map<String, Double> max, int depth) {
        if (depth > 8 || !node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            String name = f.getKey().contains("heads") ? "heads" : f.getKey();
            if (v.isObject()) {
                maxima(v, max, depth + 1);
            } else if (v.isNumber()) {
                max.merge(name, Math.max(0, v.asDouble()), Math::max);
            } else if (SHAPE_FIELDS.contains(name) && v.isArray()) {
                double positions = 1;
                for (JsonNode dim : v) {
                    positions *= Math.max(1, dim.asDouble());
                }
                max.merge("image_positions", positions, Math::max);
            }
        }
    }

    private static ModelMemoryEstimate estimate(JsonNode modelConfig) {
        ModelMemoryEstimate e = new ModelMemoryEstimate();
        e.scanScales(modelConfig, 0);
        e.scanSizes(modelConfig, "model_config", 0);
        double weights = e.channels * e.channels * (4 + 2 * e.widening) * e.layers;
        e.add("model_config channels (" + (long) e.channels + ")", weights);
        return e;
    }

    private long bytes() {
        double b = total * 4;
        return b >= Long.MAX_VALUE || Double.isNaN(b) ? Long.MAX_VALUE : (long) b;
    }

    /** First pass: the widest channel count, widening factor, number of layers and frequency bands. */
    private void scanScales(JsonNode node, int depth) {
        if (depth > 8 || !node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (v.isObject()) {
                scanScales(v, depth + 1);
                continue;
            }
            if (!v.isNumber()) {
                continue;
            }
            double x = Math.max(0, v.asDouble());
            if (name.contains("channels") || CHANNEL_FIELDS.contains(name)) {
                channels = Math.max(channels, x);
            } else if (name.contains("widening_factor")) {
                widening = Math.max(widening, x);
            } else if (name.startsWith("num_") && (name.contains("layers") || name.contains("blocks"))) {
                layers += x;
            } else if (name.equals("num_frequency_bands")) {
                frequencyBands = Math.max(frequencyBands, x);
            }
        }
    }

    /** Second pass: rows x channels per size field, positions x (encoding + channels) per image shape. */
    private void scanSizes(JsonNode node, String path, int depth) {
        if (depth > 8 || !node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            String field = path + "." + name;
            if (v.isObject()) {
                scanSizes(v, field, depth + 1);
            } else if (ROW_FIELDS.contains(name) && v.isNumber()) {
                add(field + " (" + v.asText() + ")", Math.max(0, v.asDouble()) * channels);
            } else if (SHAPE_FIELDS.contains(name) && (v.isArray() || v.isNumber())) {
                double positions = 1;
                int dims = 0;
                if (v.isNumber()) {
                    positions = v.asDouble() * v.asDouble();
                    dims = 2;
                } else {
                    for (JsonNode d : v) {
                        positions *= Math.max(1, d.asDouble());
                        dims++;
                    }
                }
                double encoding = dims * (2 * frequencyBands + 1);
                add(field + " (" + v + ")", positions * (encoding + channels));
            }
        }
    }

    private void add(String field, double values) {
        total += values;
        if (values > largest) {
            largest = values;
            culprit = field;
        }
    }
}
