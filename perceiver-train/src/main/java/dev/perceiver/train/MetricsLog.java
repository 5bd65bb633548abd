package dev.perceiver.train;

import dev.perceiver.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's {@code metrics.csv}: one row per logged training step and per validation, columns {@value #HEADER}.
 * Empty cells where a metric does not apply. The file is rewritten atomically on every append (it is small).
 */
public final class MetricsLog {
    /** CSV header. */
    public static final String HEADER = "step,epoch,train_loss,train_acc,val_loss,val_acc,lr,elapsed_s";

    /**
     * One row.
     *
     * @param trainLoss mean training loss since the previous row, or NaN
     * @param trainAcc training accuracy since the previous row, or NaN
     * @param valLoss validation loss, or NaN
     * @param valAcc validation accuracy, or NaN
     */
    public record Row(
            long step,
            int epoch,
            double trainLoss,
            double trainAcc,
            double valLoss,
            double valAcc,
            double lr,
            double elapsedSeconds) {
        String toCsv() {
            return step + "," + epoch + "," + cell(trainLoss) + "," + cell(trainAcc) + "," + cell(valLoss) + ","
                    + cell(valAcc) + "," + cell(lr) + "," + String.format(Locale.ROOT, "%.1f", elapsedSeconds);
        }

        static Row parse(String line, Path file) throws IOException {
            String[] c = line.split(",", -1);
            if (c.length != 8) {
                throw new IOException(file + ": malformed row '" + line + "' (expected 8 columns)");
            }
            try {
                return new Row(
                        Long.parseLong(c[0]),
                        Integer.parseInt(c[1]),
                        num(c[2]),
                        num(c[3]),
                        num(c[4]),
                        num(c[5]),
                        num(c[6]),
                        num(c[7]));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": malformed row '" + line + "'", e);
            }
        }
    }

    private final Path file;
    private final List<Row> rows = new ArrayList<>();

    private MetricsLog(Path file) {
        this.file = file;
    }

    /** A new, empty log at {@code file} (written on the first append). */
    public static MetricsLog create(Path file) {
        return new MetricsLog(file);
    }

    /**
     * Reopens an existing log, keeping only the rows up to {@code step} (rows a resumed run will write again are
     * dropped).
     */
    public static MetricsLog resume(Path file, long step) throws IOException {
        MetricsLog log = new MetricsLog(file);
        if (Files.isRegularFile(file)) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 1; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    Row r = Row.parse(lines.get(i), file);
                    if (r.step() <= step) {
                        log.rows.add(r);
                    }
                }
            }
        }
        return log;
    }

    /** Appends a row and rewrites the file. */
    public void append(Row row) throws IOException {
        rows.add(row);
        rewrite();
    }

    /** Rewrites the file with the rows kept (after {@link #resume}: without those beyond the resumed step). */
    public void rewrite() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Row r : rows) {
            sb.append(r.toCsv()).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** All rows so far. */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    private static String cell(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static double num(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
