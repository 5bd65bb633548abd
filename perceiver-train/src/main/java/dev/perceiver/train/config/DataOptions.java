package dev.perceiver.train.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/**
 * The {@code data} options every task has: {@code dataset_dir}, {@code batch_size}, {@code valid_batch_size} and
 * {@code shuffle}; a task's own data options (e.g. {@code max_seq_len}) sit between {@code dataset_dir} and
 * {@code batch_size} in the option tree.
 *
 * @param datasetDir {@code data.dataset_dir}, or null for the task's embedded data (or none)
 * @param batchSize training examples per batch, >= 1
 * @param validBatchSize validation examples per batch, >= 1, or null for {@code batchSize}
 * @param shuffle whether training examples are shuffled per epoch
 */
public record DataOptions(String datasetDir, int batchSize, Integer validBatchSize, boolean shuffle) {
    /** Validates the ranges. */
    public DataOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("data.batch_size (" + batchSize + ") must be a positive integer");
        }
        if (validBatchSize != null && validBatchSize < 1) {
            throw new IllegalArgumentException(
                    "data.valid_batch_size (" + validBatchSize + ") must be a positive integer");
        }
    }

    /** Defaults: no dataset_dir, valid_batch_size = batch_size, shuffled. */
    public static DataOptions defaults(int batchSize) {
        return new DataOptions(null, batchSize, null, true);
    }

    /** The validation batch size ({@code valid_batch_size}, or {@code batch_size} when that is null). */
    public int effectiveValidBatchSize() {
        return validBatchSize == null ? batchSize : validBatchSize;
    }

    /** Reads the common options of a {@code data} section. */
    public static DataOptions parse(JsonNode data) {
        OptionReader d = new OptionReader(data, "data");
        int batchSize = d.positiveInt("batch_size");
        Integer validBatchSize = d.isNull("valid_batch_size") ? null : d.positiveInt("valid_batch_size");
        return new DataOptions(d.text("dataset_dir"), batchSize, validBatchSize, d.bool("shuffle", true));
    }

    /**
     * The {@code data} section: {@code dataset_dir}, then the task's own options written by {@code taskOptions},
     * then {@code batch_size}, {@code valid_batch_size} and {@code shuffle}.
     */
    public ObjectNode toOptions(Consumer<ObjectNode> taskOptions) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        if (datasetDir == null) {
            d.putNull("dataset_dir");
        } else {
            d.put("dataset_dir", datasetDir);
        }
        taskOptions.accept(d);
        d.put("batch_size", (long) batchSize);
        if (validBatchSize == null) {
            d.putNull("valid_batch_size");
        } else {
            d.put("valid_batch_size", (long) validBatchSize);
        }
        d.put("shuffle", shuffle);
        return d;
    }
}
