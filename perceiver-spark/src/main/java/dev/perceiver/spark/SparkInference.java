package dev.perceiver.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * One batch-inference job: reads the input ({@link SparkInputs}), optionally repartitions it, runs every partition
 * through {@link PartitionInference} on the executors and writes one JSON line per input row into part files of the
 * output folder ({@code part-*.txt}), or Parquet files with the same fields.
 */
public final class SparkInference {
    /**
     * What a job did.
     *
     * @param rows rows written (errors included)
     * @param errors rows written with {@code error}
     * @param seconds wall-clock seconds of the job (reading, inference, writing)
     */
    public record Summary(long rows, long errors, double seconds) {
        /** Rows per second. */
        public double rowsPerSecond() {
            return seconds > 0 ? rows / seconds : 0;
        }
    }

    private SparkInference() {}

    /**
     * Runs the job.
     *
     * @param settings the task and its options; {@code inputFields} is replaced by what the input provides
     * @param partitions partitions to split the input into, or 0 to keep the input's
     * @param parquet whether to write Parquet instead of JSON Lines
     */
    public static Summary run(
            SparkSession spark, InferenceSettings settings, Path input, Path output, int partitions, boolean parquet)
            throws IOException {
        if (Files.exists(output)) {
            throw new IllegalArgumentException("--output (" + output + ") exists; give a new folder");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions (" + partitions + ") must be >= 1 (or 0: the input's)");
        }
        long t0 = System.nanoTime();
        SparkInputs.Inputs in = SparkInputs.read(spark, input, settings.task());
        InferenceSettings s = settings.withInputFields(in.fields());
        Dataset<Row> rows = partitions > 0 ? in.rows().repartition(partitions) : in.rows();
        LongAccumulator count = spark.sparkContext().longAccumulator("rows");
        LongAccumulator errors = spark.sparkContext().longAccumulator("errors");
        Dataset<String> lines = rows.mapPartitions(new PartitionInference(s, count, errors), Encoders.STRING());
        if (parquet) {
            // the JSON lines are computed once: schema inference and writing read the persisted lines
            lines = lines.persist(StorageLevel.MEMORY_AND_DISK());
            spark.read().json(lines).write().parquet(output.toString());
            lines.unpersist();
        } else {
            lines.write().text(output.toString());
        }
        return new Summary(count.value(), errors.value(), (System.nanoTime() - t0) / 1e9);
    }
}
