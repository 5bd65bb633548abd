package dev.perceiver.train.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads text classification data from a CSV file (RFC 4180, header with {@code text} and {@code label}
 * columns, other columns ignored) or a JSON Lines file (one {@code {"text": ..., "label": ...}} object per
 * line). Labels are integers (used as ids) or strings (mapped by a {@link LabelVocabulary}). Any bad row is an
 * {@link IOException} whose message starts with {@code file:line:}.
 */
public final class ClassificationFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

    private ClassificationFiles() {}

    /** Reads a {@code .csv} file or a {@code .jsonl}/{@code .json} (JSON Lines) file with a fresh vocabulary. */
    public static TextClassificationData read(Path file) throws IOException {
        return read(file, new LabelVocabulary());
    }

    /** Reads a file chosen by extension ({@code .csv}, else JSON Lines), mapping labels with {@code labels}. */
    public static TextClassificationData read(Path file, LabelVocabulary labels) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".csv") ? readCsv(file, labels) : readJsonl(file, labels);
    }

    /**
     * Reads a CSV file. A label cell that looks like an integer is an integer label unless {@code labels}
     * already holds string labels.
     *
     * @throws IOException naming file and line for a missing column, wrong field count, bad quoting, bad label
     */
    public static TextClassificationData readCsv(Path file, LabelVocabulary labels) throws IOException {
        List<CsvParser.Row> rows = CsvParser.parse(Utf8Files.read(file), file.toString());
        if (rows.isEmpty()) {
            throw new IOException(file + ":1: empty file, expected a header with 'text' and 'label'");
        }
        CsvParser.Row header = rows.get(0);
        int textCol = column(header, "text", file);
        int labelCol = column(header, "label", file);
        List<LabeledText> examples = new ArrayList<>();
        for (CsvParser.Row row : rows.subList(1, rows.size())) {
            String where = file + ":" + row.line() + ": ";
            if (row.fields().size() != header.fields().size()) {
                throw new IOException(where + "expected " + header.fields().size() + " fields, found "
                        + row.fields().size());
            }
            String label = row.fields().get(labelCol).trim();
            if (label.isEmpty()) {
                throw new IOException(where + "empty label");
            }
            int id;
            try {
                id = INTEGER.matcher(label).matches() && !labels.hasStringLabels()
                        ? labels.idOf(Integer.parseInt(label))
                        : labels.idOf(label);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + e.getMessage(), e);
            }
            examples.add(new LabeledText(row.fields().get(textCol), id));
        }
        return new TextClassificationData(examples, labels);
    }

    /**
     * Reads a JSON Lines file; blank lines are skipped. {@code label} must be an integer or a string.
     *
     * @throws IOException naming file and line for invalid JSON, missing or mistyped fields, bad labels
     */
    public static TextClassificationData readJsonl(Path file, LabelVocabulary labels) throws IOException {
        String[] lines = Utf8Files.read(file).split("\r?\n|\r", -1);
        List<LabeledText> examples = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            JsonNode node;
            try {
                node = JSON.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                throw new IOException(where + "invalid JSON: " + e.getOriginalMessage(), e);
            }
            if (node == null || !node.isObject()) {
                throw new IOException(where + "expected a JSON object");
            }
            JsonNode text = node.get("text");
            if (text == null || !text.isTextual()) {
                throw new IOException(where + "missing or non-string 'text'");
            }
            examples.add(new LabeledText(text.asText(), jsonLabel(node.get("label"), labels, where)));
        }
        return new TextClassificationData(examples, labels);
    }

    private static int jsonLabel(JsonNode label, LabelVocabulary labels, String where) throws IOException {
        try {
            if (label != null && label.isTextual()) {
                return labels.idOf(label.asText());
            }
            if (label != null && label.isIntegralNumber() && label.canConvertToInt()) {
                return labels.idOf(label.intValue());
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(where + e.getMessage(), e);
        }
        throw new IOException(where + "'label' must be an integer or a string, found "
                + (label == null ? "nothing" : label.toString()));
    }

    private static int column(CsvParser.Row header, String wanted, Path file) throws IOException {
        List<String> fields = header.fields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).trim().equalsIgnoreCase(wanted)) {
                return i;
            }
        }
        throw new IOException(file + ":" + header.line() + ": header has no '" + wanted + "' column");
    }
}
