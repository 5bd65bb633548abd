package dev.perceiver.inference.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of one file's download: on a terminal a bar redrawn in place at most ten times a second, otherwise a line
 * every few seconds and one at the end; each shows bytes, percent and rate, e.g. {@code
 * deepmind/language-perceiver pytorch_model.bin [#####     ]  412.0 MB / 820.3 MB  50%  35.1 MB/s}.
 */
final class DownloadProgress {
    private static final long TERMINAL_EVERY = 100_000_000L;
    private static final long LINES_EVERY = 5_000_000_000L;
    private static final int BAR = 20;

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final long total;
    private long done;
    private long startDone;
    private long startNanos;
    private long lastPrint;
    private int lastWidth;

    /**
     * @param out where to print, or null for nothing
     * @param terminal redraw one line in place (true) or print occasional lines (false)
     * @param label what is downloaded
     * @param total size in bytes, or -1 if unknown
     */
    DownloadProgress(PrintStream out, boolean terminal, String label, long total) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = total;
        this.startNanos = System.nanoTime();
        this.lastPrint = startNanos;
    }

    /** A (re)start at {@code position}: the rate counts from here. */
    void startAt(long position) {
        done = position;
        startDone = position;
        startNanos = System.nanoTime();
        if (terminal) {
            print(false);
        }
    }

    /** {@code n} more bytes arrived. */
    void add(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastPrint >= (terminal ? TERMINAL_EVERY : LINES_EVERY)) {
            lastPrint = now;
            print(false);
        }
    }

    /** The connection was lost at {@code position}; the download resumes from there. */
    void resuming(long position, Exception cause) {
        if (out == null) {
            return;
        }
        if (terminal && lastWidth > 0) {
            out.println();
            lastWidth = 0;
        }
        out.println(label + ": interrupted at " + bytes(position) + " (" + describe(cause) + "); resuming");
        out.flush();
    }

    /** The last bytes arrived. */
    void finish() {
        print(true);
    }

    /** The line shown now. */
    String line() {
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        String rate = bytes((long) ((done - startDone) / seconds)) + "/s";
        if (total <= 0) {
            return label + "  " + bytes(done) + "  " + rate;
        }
        int percent = (int) Math.min(100, done * 100 / total);
        int filled = percent * BAR / 100;
        return String.format(
                Locale.ROOT,
                "%s [%s%s]  %s / %s  %3d%%  %s",
                label,
                "#".repeat(filled),
                " ".repeat(BAR - filled),
                bytes(done),
                bytes(total),
                percent,
                rate);
    }

    private void print(boolean last) {
        if (out == null) {
            return;
        }
        String line = line();
        if (terminal) {
            String pad = line.length() < lastWidth ? " ".repeat(lastWidth - line.length()) : "";
            out.print("\r" + line + pad + (last ? System.lineSeparator() : ""));
            lastWidth = last ? 0 : line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Bytes in decimal units: {@code 950 B}, {@code 1.5 kB}, {@code 820.3 MB}, {@code 1.2 GB}. */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * The class and the first message in the cause chain, e.g. {@code ConnectException: Connection refused}, or the
     * class of the root cause where none has a message.
     */
    static String describe(Throwable t) {
        Throwable root = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.isBlank()) {
                return t.getClass().getSimpleName() + ": "
                        + m.replaceAll("\\s+", " ").strip();
            }
            root = c;
        }
        return root == t
                ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + " caused by " + root.getClass().getSimpleName();
    }
}
