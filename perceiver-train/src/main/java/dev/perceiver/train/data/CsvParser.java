package dev.perceiver.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict RFC 4180 CSV parser: comma-separated fields, optional double quotes around a field (inside which
 * commas, line breaks and doubled quotes {@code ""} are allowed), records ended by CRLF, LF or CR. Empty lines
 * are skipped. Errors name the source and the line.
 */
final class CsvParser {
    /**
     * One record.
     *
     * @param line 1-based line number where the record starts
     * @param fields the field values, unquoted
     */
    record Row(int line, List<String> fields) {}

    private final String text;
    private final String name;
    private int pos;
    private int line = 1;

    private CsvParser(String text, String name) {
        this.text = text;
        this.name = name;
    }

    /** Parses all records of {@code text}; {@code name} is used in error messages. */
    static List<Row> parse(String text, String name) throws IOException {
        return new CsvParser(text, name).rows();
    }

    private List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        while (pos < text.length()) {
            if (atLineEnd()) {
                skipLineEnd();
                continue;
            }
            int start = line;
            rows.add(new Row(start, record(start)));
        }
        return rows;
    }

    private List<String> record(int start) throws IOException {
        List<String> fields = new ArrayList<>();
        while (true) {
            fields.add(pos < text.length() && text.charAt(pos) == '"' ? quoted(start) : plain());
            if (pos >= text.length()) {
                return fields;
            }
            if (atLineEnd()) {
                skipLineEnd();
                return fields;
            }
            pos++; // the comma
        }
    }

    private String plain() throws IOException {
        int from = pos;
        while (pos < text.length() && text.charAt(pos) != ',' && !atLineEnd()) {
            if (text.charAt(pos) == '"') {
                throw new IOException(name + ":" + line + ": quote inside an unquoted field");
            }
            pos++;
        }
        return text.substring(from, pos);
    }

    private String quoted(int start) throws IOException {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length()) {
                throw new IOException(name + ":" + start + ": unterminated quoted field");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                if (pos < text.length() && text.charAt(pos) == '"') {
                    sb.append('"');
                    pos++;
                } else {
                    break;
                }
            } else {
                if (c == '\n' || (c == '\r' && (pos >= text.length() || text.charAt(pos) != '\n'))) {
                    line++;
                }
                sb.append(c);
            }
        }
        if (pos < text.length() && text.charAt(pos) != ',' && !atLineEnd()) {
            throw new IOException(
                    name + ":" + line + ": unexpected character '" + text.charAt(pos) + "' after closing quote");
        }
        return sb.toString();
    }

    private boolean atLineEnd() {
        char c = text.charAt(pos);
        return c == '\n' || c == '\r';
    }

    private void skipLineEnd() {
        if (text.charAt(pos) == '\r' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
            pos++;
        }
        pos++;
        line++;
    }
}
