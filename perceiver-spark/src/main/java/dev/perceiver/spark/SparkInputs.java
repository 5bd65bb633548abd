package dev.perceiver.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the input of a job into rows of strings: {@code id} and the task's input fields. Formats: Parquet, JSON
 * Lines, CSV with a header (each a file or a folder of part files), a text file (one input a line; the id is the
 * line's index from 0) and a folder of images (PNG, JPEG, BMP, GIF; the id is the file name; for flow, each frame
 * with the next one in name order). Without an {@code id} column the id is the row's index in the input.
 */
public final class SparkInputs {
    /** Extensions of the files an image folder is made of. */
    public static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    /**
     * The rows and the input fields they carry.
     *
     * @param rows {@code id} and {@code fields}, all strings
     * @param fields the task's input fields, in order
     */
    public record Inputs(Dataset<Row> rows, List<String> fields) {}

    private SparkInputs() {}

    /** Reads {@code input} for {@code task}; errors name the path, the format and what is missing. */
    public static Inputs read(SparkSession spark, Path input, InferenceTask task) throws IOException {
        if (!Files.exists(input)) {
            throw new IllegalArgumentException("--input (" + input + ") does not exist");
        }
        String format = format(input);
        if (format.equals("images")) {
            return imageFolder(spark, input, task);
        }
        Dataset<Row> df = switch (format) {
            case "parquet" -> spark.read().parquet(input.toString());
            case "json" -> spark.read().json(input.toString());
            case "csv" ->
                spark.read()
                        .option("header", "true")
                        .option("multiLine", "true")
                        .option("escape", "\"")
                        .csv(input.toString());
            default -> spark.read().text(input.toString()).withColumnRenamed("value", textField(task));
        };
        List<String> columns = Arrays.asList(df.columns());
        List<String> fields = fields(task, columns);
        List<String> missing = fields.stream()
                .filter(f -> !columns.contains(f) && !(f.equals("prompt") && columns.contains("text")))
                .toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("--input (" + input + ", " + format + ") has columns " + columns + "; "
                    + task.command() + " needs " + missing);
        }
        List<Column> select = new ArrayList<>();
        for (String f : fields) {
            String source = columns.contains(f) ? f : "text";
            select.add(df.col(source).cast(DataTypes.StringType).alias(f));
        }
        if (columns.contains("id")) {
            select.add(0, df.col("id").cast(DataTypes.StringType).alias("id"));
            return new Inputs(df.select(select.toArray(Column[]::new)), fields);
        }
        return new Inputs(withIndexIds(spark, df.select(select.toArray(Column[]::new))), fields);
    }

    /** The input fields: the task's, except embed, which reads {@code image} when the input has it and no text. */
    private static List<String> fields(InferenceTask task, List<String> columns) {
        if (task == InferenceTask.EMBED && columns.contains("image") && !columns.contains("text")) {
            return List.of("image");
        }
        return task.inputFields();
    }

    private static String textField(InferenceTask task) {
        if (task == InferenceTask.FLOW) {
            throw new IllegalArgumentException(
                    "flow reads pairs of frames: give --input as JSON Lines, CSV or Parquet with frame1 and frame2, "
                            + "or an image folder (each frame with the next)");
        }
        return task.inputFields().get(0);
    }

    /** Format of a path: parquet, json, csv, images or text. */
    static String format(Path input) throws IOException {
        if (Files.isDirectory(input)) {
            List<String> names;
            try (Stream<Path> files = Files.list(input)) {
                names = files.filter(Files::isRegularFile)
                        .map(p -> p.getFileName().toString().toLowerCase(Locale.ROOT))
                        .filter(n -> !n.startsWith(".") && !n.startsWith("_"))
                        .toList();
            }
            for (String f : List.of("parquet", "json", "csv")) {
                if (names.stream().anyMatch(n -> byExtension(n).equals(f))) {
                    return f;
                }
            }
            if (names.stream().anyMatch(SparkInputs::isImage)) {
                return "images";
            }
            if (names.stream().anyMatch(n -> n.endsWith(".txt"))) {
                return "text";
            }
            throw new IllegalArgumentException("--input (" + input + ") is a folder without Parquet, JSON Lines, CSV, "
                    + "text or image files (" + String.join(", ", IMAGE_EXTENSIONS) + ")");
        }
        return byExtension(input.getFileName().toString().toLowerCase(Locale.ROOT));
    }

    private static String byExtension(String name) {
        if (name.endsWith(".parquet")) {
            return "parquet";
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            return "json";
        }
        if (name.endsWith(".csv")) {
            return "csv";
        }
        return "text";
    }

    private static boolean isImage(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return IMAGE_EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /** Rows of an image folder: files in name order; for flow, each frame with the next. */
    private static Inputs imageFolder(SparkSession spark, Path dir, InferenceTask task) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p ->
                            Files.isRegularFile(p) && isImage(p.getFileName().toString()))
                    .sorted()
                    .toList();
        }
        List<String> fields = task == InferenceTask.EMBED ? List.of("image") : task.inputFields();
        if (!task.imageInput() && task != InferenceTask.EMBED) {
            throw new IllegalArgumentException(
                    "--input (" + dir + ") is an image folder; " + task.command() + " needs texts");
        }
        List<Row> rows = new ArrayList<>();
        if (task == InferenceTask.FLOW) {
            if (files.size() < 2) {
                throw new IllegalArgumentException(
                        "--input (" + dir + ") holds " + files.size() + " frames; flow needs at least 2");
            }
            for (int i = 0; i + 1 < files.size(); i++) {
                rows.add(RowFactory.create(
                        files.get(i).getFileName().toString(),
                        files.get(i).toAbsolutePath().toString(),
                        files.get(i + 1).toAbsolutePath().toString()));
            }
        } else {
            for (Path f : files) {
                rows.add(RowFactory.create(
                        f.getFileName().toString(), f.toAbsolutePath().toString()));
            }
        }
        return new Inputs(spark.createDataFrame(rows, schema(fields)), fields);
    }

    private static StructType schema(List<String> fields) {
        List<StructField> s = new ArrayList<>();
        s.add(DataTypes.createStructField("id", DataTypes.StringType, false));
        for (String f : fields) {
            s.add(DataTypes.createStructField(f, DataTypes.StringType, true));
        }
        return DataTypes.createStructType(s);
    }

    /** Adds {@code id}: the row's index in the input, from 0. */
    private static Dataset<Row> withIndexIds(SparkSession spark, Dataset<Row> df) {
        StructType schema = schema(Arrays.asList(df.columns()));
        JavaRDD<Row> rows = df.javaRDD().zipWithIndex().map(t -> {
            Object[] values = new Object[t._1().size() + 1];
            values[0] = Long.toString(t._2());
            for (int i = 0; i < t._1().size(); i++) {
                values[i + 1] = t._1().get(i);
            }
            return RowFactory.create(values);
        });
        return spark.createDataFrame(rows, schema).select(functions.col("*"));
    }
}
