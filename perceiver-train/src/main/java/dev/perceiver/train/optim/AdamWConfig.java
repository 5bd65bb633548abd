package dev.perceiver.train.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * AdamW settings with torch.optim.AdamW's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01).
 * {@code decoupled = false} gives torch.optim.Adam (weight decay added to the gradient, default 0).
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    /** Validates the ranges. */
    public AdamWConfig {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("optimizer.lr (" + lr + ") must be a finite number >= 0");
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("optimizer.betas[0] (" + beta1 + ") must be in [0, 1)");
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("optimizer.betas[1] (" + beta2 + ") must be in [0, 1)");
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("optimizer.eps (" + eps + ") must be a finite number >= 0");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(
                    "optimizer.weight_decay (" + weightDecay + ") must be a finite number >= 0");
        }
    }

    /** torch.optim.AdamW defaults. */
    public static AdamWConfig defaults() {
        return new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 0.01, true);
    }

    /** Reads the {@code optimizer} options ({@code name} AdamW or Adam, {@code lr}, {@code betas}, ...). */
    public static AdamWConfig fromOptions(JsonNode o) {
        String name = o.path("name").asText("AdamW");
        boolean decoupled;
        if (name.equals("AdamW")) {
            decoupled = true;
        } else if (name.equals("Adam")) {
            decoupled = false;
        } else {
            throw new IllegalArgumentException("optimizer '" + name + "' is not supported; valid: AdamW, Adam");
        }
        JsonNode betas = o.path("betas");
        if (!betas.isArray() || betas.size() != 2) {
            throw new IllegalArgumentException("optimizer.betas (" + betas + ") must be a list of 2 numbers");
        }
        return new AdamWConfig(
                o.path("lr").asDouble(),
                betas.get(0).asDouble(),
                betas.get(1).asDouble(),
                o.path("eps").asDouble(),
                o.path("weight_decay").asDouble(),
                decoupled);
    }

    /** The {@code optimizer} options of these settings. */
    public ObjectNode toOptions() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", decoupled ? "AdamW" : "Adam");
        o.put("lr", lr);
        o.putArray("betas").add(beta1).add(beta2);
        o.put("eps", eps);
        o.put("weight_decay", weightDecay);
        return o;
    }

    /** Copy with another learning rate. */
    public AdamWConfig withLr(double newLr) {
        return new AdamWConfig(newLr, beta1, beta2, eps, weightDecay, decoupled);
    }
}
