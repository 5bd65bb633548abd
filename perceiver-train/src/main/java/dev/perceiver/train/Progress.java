package dev.perceiver.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on stderr: step, loss, steps/s and ETA. On a terminal one line is redrawn with {@code \r} (with a bar);
 * otherwise a plain line is printed per report.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final long totalSteps;
    private final long startStep;
    private final long startNanos = System.nanoTime();
    private boolean dirty;

    /**
     * @param totalSteps steps of the whole run (Long.MAX_VALUE when unknown)
     * @param startStep step the run starts (resumes) at
     */
    public Progress(PrintStream out, boolean terminal, long totalSteps, long startStep) {
        this.out = out;
        this.terminal = terminal;
        this.totalSteps = totalSteps;
        this.startStep = startStep;
    }

    /** Progress on System.err, redrawn when a console is attached. */
    public static Progress stderr(long totalSteps, long startStep) {
        return new Progress(System.err, System.console() != null, totalSteps, startStep);
    }

    /** Reports the state after {@code step} optimizer steps. */
    public void update(long step, int epoch, double loss, double samplesPerSecond) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? (step - startStep) / seconds : 0;
        String eta = rate > 0 && totalSteps != Long.MAX_VALUE ? duration((totalSteps - step) / rate) : "?";
        String total = totalSteps == Long.MAX_VALUE ? "?" : Long.toString(totalSteps);
        String text = String.format(
                Locale.ROOT,
                "step %d/%s epoch %d loss %.4f %.2f steps/s %.0f samples/s ETA %s",
                step,
                total,
                epoch,
                loss,
                rate,
                samplesPerSecond,
                eta);
        if (terminal) {
            out.print("\r" + bar(step) + " " + text + "\u001b[K");
            dirty = true;
        } else {
            out.println(text);
        }
        out.flush();
    }

    /** Prints a message on its own line (e.g. validation results). */
    public void message(String text) {
        if (dirty) {
            out.println();
            dirty = false;
        }
        out.println(text);
        out.flush();
    }

    /** Ends a redrawn line. */
    public void finish() {
        if (dirty) {
            out.println();
            dirty = false;
        }
        out.flush();
    }

    private String bar(long step) {
        int width = 24;
        int filled =
                totalSteps == Long.MAX_VALUE || totalSteps == 0 ? 0 : (int) Math.min(width, width * step / totalSteps);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
