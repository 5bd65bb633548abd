package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.nn.GradientRecording;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * The work of one partition: rows ({@code id} and the task's input fields, strings) -> one JSON line per row, in the
 * partition's order, computed {@code batch_size} rows at a time with the executor's shared model
 * ({@link ExecutorModels}). A batch that fails is retried row by row, so that one bad input costs only its own row:
 * that row's line carries {@code id}, its inputs and {@code error} (with {@code fail_fast} the job fails instead,
 * naming the row). No row is lost.
 */
public final class PartitionInference implements MapPartitionsFunction<Row, String> {
    private static final long serialVersionUID = 1L;

    private final InferenceSettings settings;
    private final LongAccumulator rowCount;
    private final LongAccumulator errorCount;

    /**
     * @param rowCount counts the rows written
     * @param errorCount counts the error rows written
     */
    public PartitionInference(InferenceSettings settings, LongAccumulator rowCount, LongAccumulator errorCount) {
        this.settings = settings;
        this.rowCount = rowCount;
        this.errorCount = errorCount;
    }

    @Override
    public Iterator<String> call(Iterator<Row> rows) {
        GradientRecording.off(); // a Spark task thread starts with libtorch's default: recording
        return new Iterator<>() {
            private final ArrayDeque<String> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && rows.hasNext()) {
                    List<InputRow> batch = new ArrayList<>();
                    while (batch.size() < settings.batchSize() && rows.hasNext()) {
                        batch.add(inputRow(rows.next()));
                    }
                    ready.addAll(process(batch));
                }
                return !ready.isEmpty();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    private InputRow inputRow(Row row) {
        List<String> values = new ArrayList<>();
        for (String f : settings.inputFields()) {
            values.add(row.getAs(f));
        }
        return new InputRow(row.getAs("id"), values);
    }

    /** JSON lines of one batch, in order. */
    List<String> process(List<InputRow> batch) {
        RowPredictor predictor = ExecutorModels.get(settings);
        String[] lines = new String[batch.size()];
        List<InputRow> complete = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            InputRow r = batch.get(i);
            int missing = r.values().indexOf(null);
            if (missing >= 0) {
                lines[i] = error(
                        r,
                        new IllegalArgumentException(
                                "input field '" + settings.inputFields().get(missing) + "' is missing or null"));
            } else {
                complete.add(r);
                at.add(i);
            }
        }
        if (!complete.isEmpty()) {
            List<String> done = predictAll(predictor, complete);
            for (int j = 0; j < done.size(); j++) {
                lines[at.get(j)] = done.get(j);
            }
        }
        rowCount.add(lines.length);
        return Arrays.asList(lines);
    }

    /** The whole batch in one call; when that fails, every row on its own. */
    private List<String> predictAll(RowPredictor predictor, List<InputRow> rows) {
        try {
            return success(rows, predictor.predict(rows));
        } catch (Exception e) {
            if (rows.size() == 1) {
                return List.of(error(rows.get(0), e));
            }
        }
        List<String> out = new ArrayList<>();
        for (InputRow r : rows) {
            out.addAll(predictAll(predictor, List.of(r)));
        }
        return out;
    }

    private static List<String> success(List<InputRow> rows, List<ObjectNode> results) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            ObjectNode o = JsonFields.object();
            o.put("id", rows.get(i).id());
            o.setAll(results.get(i));
            out.add(JsonFields.line(o));
        }
        return out;
    }

    private String error(InputRow r, Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (settings.failFast()) {
            throw new RowFailedException(r.id(), message, e);
        }
        errorCount.add(1);
        ObjectNode o = JsonFields.object();
        o.put("id", r.id());
        for (int i = 0; i < r.values().size(); i++) {
            o.put(settings.inputFields().get(i), r.value(i));
        }
        o.put("error", message);
        return JsonFields.line(o);
    }
}
