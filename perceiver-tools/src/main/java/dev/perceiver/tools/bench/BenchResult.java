package dev.perceiver.tools.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/**
 * The outcome of one workload: rates over the timed repetitions and what they mean in matrix-multiply throughput.
 *
 * @param workload the workload
 * @param median median rate (items per second) over the timed repetitions
 * @param min lowest rate
 * @param max highest rate
 * @param flopsPerItem matrix-multiply FLOPs per item (forward x 3 for training steps), 0 when not defined
 * @param threads intra-op threads libtorch reports using
 * @param interopThreads inter-op threads libtorch reports using
 * @param device {@code cpu} or {@code cuda}
 * @param dtype the data type of the arithmetic ({@code float32}, or {@code float16-steps} for clm-generate with
 *        float16 decoding steps)
 * @param reps timed repetitions
 * @param warmup untimed repetitions before them
 * @param parameters trainable parameters of the model (0 for the calibration product)
 * @param liveArrays arrays alive in the workload's manager after each timed repetition (constant when nothing
 *        leaks)
 * @param extras further measured fields, written after the others (e.g. the accuracy of float16 steps)
 * @param engine the engine of the forward passes: {@code libtorch} or {@code onnxruntime}
 */
public record BenchResult(
        Workload workload,
        double median,
        double min,
        double max,
        long flopsPerItem,
        int threads,
        int interopThreads,
        String device,
        String dtype,
        int reps,
        int warmup,
        long parameters,
        List<Integer> liveArrays,
        java.util.Map<String, Double> extras,
        String engine) {
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN, true);

    /** Achieved matrix-multiply GFLOP/s at the median rate (0 when FLOPs are not defined). */
    public double gflops() {
        return flopsPerItem * median / 1e9;
    }

    /** The result as a JSON object, fields in the order of WORKLOADS.md and then the extensions. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("workload", workload.id());
        o.put("unit", workload.unit());
        o.put("median", round(median));
        o.put("min", round(min));
        o.put("max", round(max));
        o.put("flops_per_item", flopsPerItem);
        o.put("gflops", round(gflops()));
        o.put("threads", threads);
        o.put("interop_threads", interopThreads);
        o.put("device", device);
        o.put("dtype", dtype);
        o.put("engine", engine);
        o.put("reps", reps);
        o.put("warmup", warmup);
        o.put("params", parameters);
        extras.forEach((k, v) -> o.put(k, round(v)));
        return o;
    }

    /**
     * One line of JSON in the style of WORKLOADS.md ({@code {"workload": "img-train", "unit": "samples/s", ...}}).
     */
    public String toJsonLine() {
        return jsonLine(toJson());
    }

    /** An object as one JSON line with ", " between fields and ": " after names. */
    static String jsonLine(ObjectNode node) {
        try {
            return JSON.writer(new SpacedPrinter()).writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Four significant digits (rates and GFLOP/s are not meaningful beyond that). */
    static BigDecimal round(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalStateException("not a finite number: " + v);
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
    }

    /** Python's json.dumps spacing on one line. */
    private static final class SpacedPrinter extends MinimalPrettyPrinter {
        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }
}
