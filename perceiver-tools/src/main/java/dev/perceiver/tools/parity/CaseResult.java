package dev.perceiver.tools.parity;

import java.util.List;

/**
 * Result of one fixture case: the checks of each compared output, or why it could not run.
 *
 * @param name case name (file name without extension)
 * @param status outcome
 * @param checks compared outputs
 * @param message detail for errors and unsupported cases
 */
public record CaseResult(String name, Status status, List<Check> checks, String message) {
    /** Outcome of a case. */
    public enum Status {
        PASSED,
        FAILED,
        ERROR,
        UNSUPPORTED,
        /** Recognised but deliberately not run (the message says why); neither passed nor failed. */
        SKIPPED
    }

    /**
     * One compared output.
     *
     * @param output name of the output
     * @param maxError largest absolute difference (or number of mismatching tokens for sequences)
     * @param tolerance allowed error
     */
    public record Check(String output, double maxError, double tolerance) {
        public boolean passed() {
            return maxError <= tolerance;
        }
    }

    /** One line for humans: name, status and the largest error of each output. */
    public String describe() {
        StringBuilder sb = new StringBuilder(String.format("%-28s %-11s", name, status));
        for (Check c : checks) {
            sb.append(String.format(" %s=%.2e(tol %.1e)", c.output(), c.maxError(), c.tolerance()));
        }
        if (message != null) {
            sb.append(' ').append(message);
        }
        return sb.toString();
    }
}
