package dev.perceiver.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;

/**
 * Where a run stands: the next training batch ({@code epoch}, {@code batch}), the optimizer steps taken, the seed
 * of the data order and dropout (batch order and masks are functions of seed, epoch and batch, so these fields are
 * the whole state of the data-order RNG) and the best validation loss so far.
 */
public final class TrainerState {
    /** Epoch of the next training batch. */
    public int epoch;
    /** Index within the epoch of the next training batch. */
    public int batch;
    /** Optimizer steps taken. */
    public long globalStep;
    /** Seed of weights, dropout and data order. */
    public long seed;
    /** Best (lowest) validation loss, or NaN before the first validation. */
    public double bestValLoss = Double.NaN;
    /** Step of the best validation loss, or -1. */
    public long bestStep = -1;
    /** Training seconds before this process (for the elapsed time of resumed runs). */
    public double elapsedSeconds;

    /** JSON form (trainer_state.json). */
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.MAPPER.createObjectNode();
        o.put("epoch", epoch);
        o.put("batch", batch);
        o.put("global_step", globalStep);
        o.put("seed", seed);
        if (Double.isNaN(bestValLoss)) {
            o.putNull("best_val_loss");
        } else {
            o.put("best_val_loss", bestValLoss);
        }
        o.put("best_step", bestStep);
        o.put("elapsed_seconds", elapsedSeconds);
        return o;
    }

    /** Reads the JSON form; {@code source} names the file in messages. */
    public static TrainerState fromJson(JsonNode o, String source) {
        TrainerState s = new TrainerState();
        s.epoch = required(o, "epoch", source).asInt();
        s.batch = required(o, "batch", source).asInt();
        s.globalStep = required(o, "global_step", source).asLong();
        s.seed = required(o, "seed", source).asLong();
        JsonNode best = o.get("best_val_loss");
        s.bestValLoss = best == null || best.isNull() ? Double.NaN : best.asDouble();
        s.bestStep = o.path("best_step").asLong(-1);
        s.elapsedSeconds = o.path("elapsed_seconds").asDouble(0);
        if (s.epoch < 0 || s.batch < 0 || s.globalStep < 0) {
            throw new IllegalArgumentException(source + ": epoch, batch and global_step must be >= 0");
        }
        return s;
    }

    private static JsonNode required(JsonNode o, String name, String source) {
        JsonNode v = o.get(name);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(source + ": missing or non-numeric '" + name + "'");
        }
        return v;
    }
}
